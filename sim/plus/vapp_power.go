package plus

import (
	"sort"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// guestShutdownWait bounds how long a vApp's stop waits for a guest to shut
// down (vcsim's guests go down at once; this only guards a stuck one).
const guestShutdownWait = 30 * time.Second

// child is one member of a vApp with its start and stop settings.
type child struct {
	ref    types.ManagedObjectReference
	config types.VAppEntityConfigInfo
}

// members lists a's VMs and vApps in start order (a stable order within a
// group: as the entity configuration lists them). A child without an entry
// gets vSphere's defaults.
func members(a *simulator.VirtualApp) []child {
	configs := map[types.ManagedObjectReference]types.VAppEntityConfigInfo{}
	var order []types.ManagedObjectReference
	for _, e := range entityConfigs(a) {
		if e.Key != nil {
			configs[*e.Key] = e
			order = append(order, *e.Key)
		}
	}
	var out []child
	seen := map[types.ManagedObjectReference]bool{}
	add := func(ref types.ManagedObjectReference) {
		if seen[ref] || !(has(a.Vm, ref) || has(a.VirtualApp.ResourcePool.ResourcePool, ref)) {
			return
		}
		seen[ref] = true
		c, ok := configs[ref]
		if !ok {
			c = types.VAppEntityConfigInfo{StartOrder: 1, StartAction: "powerOn", StopAction: "powerOff"}
		}
		out = append(out, child{ref: ref, config: c})
	}
	for _, ref := range order {
		add(ref)
	}
	for _, ref := range a.Vm {
		add(ref)
	}
	for _, ref := range a.VirtualApp.ResourcePool.ResourcePool {
		add(ref)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].config.StartOrder < out[j].config.StartOrder })
	return out
}

// hasVM: does a, or a vApp inside it, hold a VM?
func hasVM(ctx *simulator.Context, a *simulator.VirtualApp) bool {
	if len(a.Vm) != 0 {
		return true
	}
	for _, ref := range a.VirtualApp.ResourcePool.ResourcePool {
		if c, ok := ctx.Map.Get(ref).(*simulator.VirtualApp); ok && hasVM(ctx, c) {
			return true
		}
	}
	return false
}

// PowerOnVAppTask starts the vApp's children in start order, groups of
// lower order first, each child whose start action is powerOn (a child
// vApp starts its own children the same way). The start delays and
// waiting for guests are not waited out: vcsim's guests are up the moment
// they power on. Faults: NoVmInVApp for a vApp with no VM; a child's power-on
// fault ends the task with that fault. Starting a vApp that already runs
// starts the children that are still off (the reference is silent).
func (r *vappRoute) PowerOnVAppTask(ctx *simulator.Context, req *types.PowerOnVApp_Task) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	task := simulator.CreateTask(a, "powerOnVApp", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if !hasVM(ctx, a) {
			return nil, new(types.NoVmInVApp)
		}
		return nil, vappPower(ctx, a, types.VirtualAppVAppStateStarting, func() types.BaseMethodFault { return startVApp(ctx, r.questions, a) })
	})
	return &methods.PowerOnVApp_TaskBody{Res: &types.PowerOnVApp_TaskResponse{Returnval: task.Run(ctx)}}
}

// PowerOffVAppTask stops the vApp. With force, every running VM in it is
// powered off. Without, the children stop in reverse start order by their
// stop actions: powerOff, guestShutdown (waited for), suspend, or none
// (left running). Stopping a vApp that does not run does nothing.
func (r *vappRoute) PowerOffVAppTask(ctx *simulator.Context, req *types.PowerOffVApp_Task) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	task := simulator.CreateTask(a, "powerOffVApp", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if !hasVM(ctx, a) {
			return nil, new(types.NoVmInVApp)
		}
		return nil, vappPower(ctx, a, types.VirtualAppVAppStateStopping, func() types.BaseMethodFault { return stopVApp(ctx, a, req.Force, false) })
	})
	return &methods.PowerOffVApp_TaskBody{Res: &types.PowerOffVApp_TaskResponse{Returnval: task.Run(ctx)}}
}

// SuspendVAppTask suspends every running VM of the vApp, in reverse start
// order.
func (r *vappRoute) SuspendVAppTask(ctx *simulator.Context, req *types.SuspendVApp_Task) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	task := simulator.CreateTask(a, "suspendVApp", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if !hasVM(ctx, a) {
			return nil, new(types.NoVmInVApp)
		}
		return nil, vappPower(ctx, a, types.VirtualAppVAppStateStopping, func() types.BaseMethodFault { return stopVApp(ctx, a, false, true) })
	})
	return &methods.SuspendVApp_TaskBody{Res: &types.SuspendVApp_TaskResponse{Returnval: task.Run(ctx)}}
}

// vappPower shows the transitional state while f runs, then the state the
// children leave.
func vappPower(ctx *simulator.Context, a *simulator.VirtualApp, during types.VirtualAppVAppState, f func() types.BaseMethodFault) types.BaseMethodFault {
	setVAppState(ctx, a, during)
	fault := f()
	end := types.VirtualAppVAppStateStopped
	if vappRunning(ctx, a) {
		end = types.VirtualAppVAppStateStarted
	}
	setVAppState(ctx, a, end)
	return fault
}

func startVApp(ctx *simulator.Context, q *questions, a *simulator.VirtualApp) types.BaseMethodFault {
	for _, c := range members(a) {
		if c.config.StartAction == "none" {
			continue
		}
		switch obj := ctx.Map.Get(c.ref).(type) {
		case *simulator.VirtualMachine:
			if obj.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
				continue
			}
			// A VM set to ask its question asks it here too.
			if _, fault := runTask(ctx, q.powerOn(ctx, obj, &types.PowerOnVM_Task{This: c.ref})); fault != nil {
				return fault
			}
		case *simulator.VirtualApp:
			if fault := vappPower(ctx, obj, types.VirtualAppVAppStateStarting, func() types.BaseMethodFault { return startVApp(ctx, q, obj) }); fault != nil {
				return fault
			}
		}
	}
	return nil
}

func stopVApp(ctx *simulator.Context, a *simulator.VirtualApp, force, suspend bool) types.BaseMethodFault {
	list := members(a)
	for i := len(list) - 1; i >= 0; i-- {
		c := list[i]
		switch obj := ctx.Map.Get(c.ref).(type) {
		case *simulator.VirtualMachine:
			if obj.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				continue
			}
			action := c.config.StopAction
			switch {
			case suspend:
				action = "suspend"
			case force:
				action = "powerOff"
			}
			if fault := stopVM(ctx, obj, action); fault != nil {
				return fault
			}
		case *simulator.VirtualApp:
			if fault := vappPower(ctx, obj, types.VirtualAppVAppStateStopping, func() types.BaseMethodFault { return stopVApp(ctx, obj, force, suspend) }); fault != nil {
				return fault
			}
		}
	}
	return nil
}

func stopVM(ctx *simulator.Context, vm *simulator.VirtualMachine, action string) types.BaseMethodFault {
	switch action {
	case "powerOff":
		_, fault := runTask(ctx, vm.PowerOffVMTask(ctx, &types.PowerOffVM_Task{This: vm.Self}))
		return fault
	case "suspend":
		_, fault := runTask(ctx, vm.SuspendVMTask(ctx, &types.SuspendVM_Task{This: vm.Self}))
		return fault
	case "guestShutdown":
		if f := vm.ShutdownGuest(ctx, &types.ShutdownGuest{This: vm.Self}).Fault(); f != nil {
			if mf, ok := f.Detail.Fault.(types.BaseMethodFault); ok {
				return mf
			}
			return &types.SystemError{Reason: f.String}
		}
		return waitPoweredOff(ctx, vm)
	}
	return nil // "none": left running
}

// waitPoweredOff waits for a guest shutdown (a task of vcsim's own that
// nobody is handed) to power the VM off.
func waitPoweredOff(ctx *simulator.Context, vm *simulator.VirtualMachine) types.BaseMethodFault {
	deadline := time.Now().Add(guestShutdownWait)
	for {
		var state types.VirtualMachinePowerState
		// A locking context of its own: the shutdown task holds the VM's
		// lock under the caller's context while it runs.
		ctx.Map.WithLock(&simulator.Context{Map: ctx.Map}, vm, func() { state = vm.Runtime.PowerState })
		if state == types.VirtualMachinePowerStatePoweredOff {
			return nil
		}
		if time.Now().After(deadline) {
			return &types.Timedout{}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
