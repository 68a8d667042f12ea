package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// DestroyTask is Destroy_Task for a vApp as vSphere does it: the vApp goes
// with its VMs and the vApps inside it. (vcsim destroys a vApp as a plain
// pool, handing its VMs to the parent, and panics destroying one inside a
// vApp.) Fault, a choice where the reference is silent: InvalidPowerState
// while any VM in it runs, as a VM's own Destroy_Task answers; nothing is
// destroyed then.
func (r *vappRoute) DestroyTask(ctx *simulator.Context, req *types.Destroy_Task) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	task := simulator.CreateTask(a, "destroy", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if vappRunning(ctx, a) {
			return nil, &types.InvalidPowerState{
				RequestedState: types.VirtualMachinePowerStatePoweredOff,
				ExistingState:  types.VirtualMachinePowerStatePoweredOn,
			}
		}
		return nil, destroyVApp(ctx, a)
	})
	return &methods.Destroy_TaskBody{Res: &types.Destroy_TaskResponse{Returnval: task.Run(ctx)}}
}

// destroyVApp destroys the vApps inside a, its VMs (by vcsim's own
// Destroy_Task, which also takes them out of a), then a.
func destroyVApp(ctx *simulator.Context, a *simulator.VirtualApp) types.BaseMethodFault {
	for _, ref := range append([]types.ManagedObjectReference(nil), a.VirtualApp.ResourcePool.ResourcePool...) {
		if child, ok := ctx.Map.Get(ref).(*simulator.VirtualApp); ok {
			if fault := destroyVApp(ctx, child); fault != nil {
				return fault
			}
		}
	}
	for _, ref := range append([]types.ManagedObjectReference(nil), a.Vm...) {
		vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		if _, fault := runTask(ctx, vm.DestroyTask(ctx, &types.Destroy_Task{This: ref})); fault != nil {
			return fault
		}
	}
	if a.Parent != nil {
		parentObj := ctx.Map.Get(*a.Parent)
		if parent, ok := poolOf(parentObj); ok {
			ctx.WithLock(parentObj, func() {
				ctx.Update(parentObj, []types.PropertyChange{{Name: "resourcePool", Val: without(parent.ResourcePool, a.Self)}})
			})
		}
	}
	ctx.Map.Remove(ctx, a.Self)
	return nil
}
