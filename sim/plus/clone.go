package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// CloneVMTask is vcsim's clone, plus the two parts of the clone spec vcsim
// ignores: spec.customization (vCenter applies it to the clone, which runs
// it at its first power-on, as after CustomizeVM_Task) and spec.powerOn. A
// clone asking for neither is vcsim's, untouched.
func (vm *virtualMachine) CloneVMTask(ctx *simulator.Context, req *types.CloneVM_Task) soap.HasFault {
	custom, powerOn := req.Spec.Customization, req.Spec.PowerOn && !req.Spec.Template
	if custom == nil && !powerOn {
		return vm.VirtualMachine.CloneVMTask(ctx, req)
	}
	plain := *req
	plain.Spec.Customization = nil
	plain.Spec.PowerOn = false

	task := simulator.CreateTask(vm.VirtualMachine, "cloneVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		res, fault := runTask(ctx, vm.VirtualMachine.CloneVMTask(ctx, &plain))
		if fault != nil {
			return nil, fault
		}
		ref, ok := res.(types.ManagedObjectReference)
		if !ok {
			return nil, &types.SystemError{Reason: "clone returned no virtual machine"}
		}
		clone, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			return nil, &types.ManagedObjectNotFound{Obj: ref}
		}
		if custom != nil {
			cv := &virtualMachine{VirtualMachine: clone, customizations: vm.customizations}
			if fault := cv.checkCustomizable(ctx, custom); fault != nil {
				// vCenter checks the spec before it copies anything; here
				// the copy is undone, so no half-made clone stays behind.
				_, _ = runTask(ctx, clone.DestroyTask(ctx, &types.Destroy_Task{This: ref}))
				return nil, fault
			}
			spec := *custom
			vm.customizations.schedule(ctx, clone, &spec)
		}
		if powerOn {
			if _, fault := runTask(ctx, clone.PowerOnVMTask(ctx, &types.PowerOnVM_Task{This: ref})); fault != nil {
				return nil, fault
			}
		}
		return ref, nil
	})
	return &methods.CloneVM_TaskBody{
		Res: &types.CloneVM_TaskResponse{Returnval: task.Run(ctx)},
	}
}

// runTask waits for the task a vcsim method started and returns its result
// or fault.
func runTask(ctx *simulator.Context, body soap.HasFault) (types.AnyType, types.BaseMethodFault) {
	if f := body.Fault(); f != nil {
		if mf, ok := f.Detail.Fault.(types.BaseMethodFault); ok {
			return nil, mf
		}
		return nil, &types.SystemError{Reason: f.String}
	}
	ref, ok := taskRef(body)
	if !ok {
		return nil, &types.SystemError{Reason: "no task returned"}
	}
	t, ok := ctx.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: ref}
	}
	t.Wait()
	if t.Info.Error != nil {
		return nil, t.Info.Error.Fault
	}
	return t.Info.Result, nil
}

// taskRef is the task a *_Task method body returns.
func taskRef(body soap.HasFault) (types.ManagedObjectReference, bool) {
	switch b := body.(type) {
	case *methods.CloneVM_TaskBody:
		if b.Res != nil {
			return b.Res.Returnval, true
		}
	case *methods.Destroy_TaskBody:
		if b.Res != nil {
			return b.Res.Returnval, true
		}
	case *methods.PowerOnVM_TaskBody:
		if b.Res != nil {
			return b.Res.Returnval, true
		}
	case *methods.PowerOffVM_TaskBody:
		if b.Res != nil {
			return b.Res.Returnval, true
		}
	case *methods.SuspendVM_TaskBody:
		if b.Res != nil {
			return b.Res.Returnval, true
		}
	}
	return types.ManagedObjectReference{}, false
}
