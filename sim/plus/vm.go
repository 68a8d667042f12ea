package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vmRoute answers the VirtualMachine methods vcsim-plus adds or changes.
type vmRoute struct {
	route
	customizations *customizations
	questions      *questions
}

// on runs f on the VM the request names, holding its lock as vcsim holds the
// lock of the object a call is dispatched to.
func (r *vmRoute) on(ctx *simulator.Context, ref types.ManagedObjectReference, f func(*virtualMachine) soap.HasFault) soap.HasFault {
	vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return notFoundBody(ref)
	}
	var res soap.HasFault
	ctx.WithLock(vm, func() {
		res = guarded(func() soap.HasFault {
			return f(&virtualMachine{VirtualMachine: vm, customizations: r.customizations})
		})
	})
	return res
}

func (r *vmRoute) CustomizeVMTask(ctx *simulator.Context, req *types.CustomizeVM_Task) soap.HasFault {
	return r.on(ctx, req.This, func(vm *virtualMachine) soap.HasFault { return vm.CustomizeVMTask(ctx, req) })
}

func (r *vmRoute) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	return r.on(ctx, req.This, func(vm *virtualMachine) soap.HasFault { return r.questions.powerOn(ctx, vm.VirtualMachine, req) })
}

func (r *vmRoute) AnswerVM(ctx *simulator.Context, req *types.AnswerVM) soap.HasFault {
	return r.on(ctx, req.This, func(vm *virtualMachine) soap.HasFault { return r.questions.answerVM(ctx, vm.VirtualMachine, req) })
}

func (r *vmRoute) CloneVMTask(ctx *simulator.Context, req *types.CloneVM_Task) soap.HasFault {
	return r.on(ctx, req.This, func(vm *virtualMachine) soap.HasFault { return vm.CloneVMTask(ctx, req) })
}

// virtualMachine is vcsim's VM with the methods vcsim-plus changes.
type virtualMachine struct {
	*simulator.VirtualMachine
	customizations *customizations
}

func (vm *virtualMachine) hostInMaintenance(ctx *simulator.Context) bool {
	if vm.Runtime.Host == nil {
		return false
	}
	h, ok := ctx.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	return ok && h.Runtime.InMaintenanceMode
}

// checkCustomizable is what CustomizeVM_Task checks before it accepts a
// spec, with the faults the reference lists: the VM must be powered off, its
// host out of maintenance, no customization pending, and the spec must set
// every NIC the VM has, no more.
func (vm *virtualMachine) checkCustomizable(ctx *simulator.Context, spec *types.CustomizationSpec) types.BaseMethodFault {
	if vm.hostInMaintenance(ctx) {
		return new(types.InvalidState)
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		return &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOff,
			ExistingState:  vm.Runtime.PowerState,
		}
	}
	if vm.customizations.isPending(vm.Self) {
		return new(types.CustomizationPending)
	}
	if n := ethernetCards(vm.VirtualMachine); n != len(spec.NicSettingMap) {
		return &types.NicSettingMismatch{
			NumberOfNicsInSpec: int32(len(spec.NicSettingMap)),
			NumberOfNicsInVM:   int32(n),
		}
	}
	return nil
}

// CustomizeVMTask accepts a customization that runs at the VM's next
// power-on (see customizations.UpdateObject).
func (vm *virtualMachine) CustomizeVMTask(ctx *simulator.Context, req *types.CustomizeVM_Task) soap.HasFault {
	task := simulator.CreateTask(vm.VirtualMachine, "customizeVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if fault := vm.checkCustomizable(ctx, &req.Spec); fault != nil {
			return nil, fault
		}
		spec := req.Spec
		vm.customizations.schedule(ctx, vm.VirtualMachine, &spec)
		return nil, nil
	})
	return &methods.CustomizeVM_TaskBody{
		Res: &types.CustomizeVM_TaskResponse{Returnval: task.Run(ctx)},
	}
}
