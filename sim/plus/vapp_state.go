package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// vappStates keeps summary.vAppState, which vcsim does not report (its vApp
// summary is a plain pool's). vCenter keeps the state as the vApp's own;
// here it is derived from the children: started while any VM in the vApp
// (or a vApp inside it) runs, stopped otherwise, and starting/stopping
// during the vApp's own power operations. That is what those operations
// leave, and it is what a client that reads the children (as the provider
// does where the state is missing) already sees on vcsim.
type vappStates struct {
	r *simulator.Registry
}

func (vappStates) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPlusVAppStates", Value: "vcsim-plus-vapp-states"}
}

// PutObject gives a new vApp a vApp summary, and a new child of a vApp
// (VM or vApp) its entry in the vApp's entity configuration, as vCenter
// lists every child there.
func (v vappStates) PutObject(obj mo.Reference) {
	ctx := simulator.SpoofContext()
	ctx.Map = v.r
	switch o := obj.(type) {
	case *simulator.VirtualApp:
		o.Summary = vappSummary(o, types.VirtualAppVAppStateStopped)
		if o.Parent != nil {
			if parent, ok := v.r.Get(*o.Parent).(*simulator.VirtualApp); ok {
				// vcsim makes a vApp inside a vApp (CreateVApp, CloneVApp_Task)
				// through a copy of the parent's pool, so the parent never
				// lists it among its children: list it here.
				if !has(parent.VirtualApp.ResourcePool.ResourcePool, o.Self) {
					ctx.Update(parent, []types.PropertyChange{{Name: "resourcePool", Val: with(parent.VirtualApp.ResourcePool.ResourcePool, o.Self)}})
				}
				addEntityConfig(ctx, parent, o.Self, o.Name)
			}
		}
	case *simulator.VirtualMachine:
		if o.ResourcePool != nil {
			if parent, ok := v.r.Get(*o.ResourcePool).(*simulator.VirtualApp); ok {
				addEntityConfig(ctx, parent, o.Self, o.Name)
			}
		}
	}
}

// RemoveObject drops a child that goes (a VM or vApp destroyed, by any
// path) from its vApp's entity configuration, as vCenter does.
func (v vappStates) RemoveObject(ctx *simulator.Context, ref types.ManagedObjectReference) {
	var parent *types.ManagedObjectReference
	switch o := v.r.Get(ref).(type) {
	case *simulator.VirtualMachine:
		parent = o.ResourcePool
	case *simulator.VirtualApp:
		parent = o.Parent
	}
	if parent == nil {
		return
	}
	a, ok := v.r.Get(*parent).(*simulator.VirtualApp)
	if !ok {
		return
	}
	if ctx == nil {
		ctx = simulator.SpoofContext()
		ctx.Map = v.r
	}
	removeEntityConfig(ctx, a, ref)
}

// UpdateObject follows a VM's power or pool changing.
func (vappStates) UpdateObject(ctx *simulator.Context, obj mo.Reference, changes []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok || vm.ResourcePool == nil {
		return
	}
	for _, ch := range changes {
		if ch.Name == "runtime.powerState" || ch.Name == "resourcePool" {
			refreshVAppStates(ctx, *vm.ResourcePool)
			return
		}
	}
}

// vappSummary is a's summary as a VirtualAppSummary in the given state.
func vappSummary(a *simulator.VirtualApp, state types.VirtualAppVAppState) *types.VirtualAppSummary {
	s := &types.VirtualAppSummary{VAppState: state}
	if a.Summary != nil {
		s.ResourcePoolSummary = *a.Summary.GetResourcePoolSummary()
	}
	if a.VAppConfig != nil && len(a.VAppConfig.Product) != 0 {
		p := a.VAppConfig.Product[0]
		s.Product = &p
	}
	return s
}

// setVAppState publishes a's state.
func setVAppState(ctx *simulator.Context, a *simulator.VirtualApp, state types.VirtualAppVAppState) {
	ctx.Update(a, []types.PropertyChange{{Name: "summary", Val: vappSummary(a, state)}})
}

// refreshVAppStates re-derives the state of the vApp at ref and of every
// vApp above it (a pool that is no vApp ends the walk).
func refreshVAppStates(ctx *simulator.Context, ref types.ManagedObjectReference) {
	for {
		a, ok := ctx.Map.Get(ref).(*simulator.VirtualApp)
		if !ok {
			return
		}
		if s, ok := a.Summary.(*types.VirtualAppSummary); ok && (s.VAppState == types.VirtualAppVAppStateStarting || s.VAppState == types.VirtualAppVAppStateStopping) {
			// The vApp's own power operation sets the end state.
			return
		}
		state := types.VirtualAppVAppStateStopped
		if vappRunning(ctx, a) {
			state = types.VirtualAppVAppStateStarted
		}
		setVAppState(ctx, a, state)
		if a.Parent == nil {
			return
		}
		ref = *a.Parent
	}
}

// vappRunning: does any VM in a, or in a vApp inside it, run?
func vappRunning(ctx *simulator.Context, a *simulator.VirtualApp) bool {
	for _, ref := range a.Vm {
		if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			return true
		}
	}
	for _, ref := range a.VirtualApp.ResourcePool.ResourcePool {
		if child, ok := ctx.Map.Get(ref).(*simulator.VirtualApp); ok && vappRunning(ctx, child) {
			return true
		}
	}
	return false
}

// installVAppStates gives the vApps the model made their state, and keeps
// every vApp's state from now on.
func installVAppStates(r *simulator.Registry) {
	ctx := simulator.SpoofContext()
	ctx.Map = r
	for _, e := range r.All("VirtualApp") {
		a, ok := e.(*simulator.VirtualApp)
		if !ok {
			continue
		}
		state := types.VirtualAppVAppStateStopped
		if vappRunning(ctx, a) {
			state = types.VirtualAppVAppStateStarted
		}
		a.Summary = vappSummary(a, state)
		for _, ref := range append(append([]types.ManagedObjectReference(nil), a.Vm...), a.VirtualApp.ResourcePool.ResourcePool...) {
			if child, ok := r.Get(ref).(mo.Entity); ok {
				addEntityConfig(ctx, a, ref, child.Entity().Name)
			}
		}
	}
	r.AddHandler(vappStates{r: r})
}
