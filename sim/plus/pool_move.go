package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// poolRoute answers the ResourcePool and VirtualApp methods vcsim lacks.
type poolRoute struct {
	route
}

// poolOf is the resource pool part of a vcsim ResourcePool or VirtualApp.
func poolOf(obj mo.Reference) (*mo.ResourcePool, bool) {
	switch p := obj.(type) {
	case *simulator.ResourcePool:
		return &p.ResourcePool, true
	case *simulator.VirtualApp:
		return &p.VirtualApp.ResourcePool, true
	}
	return nil, false
}

// MoveIntoResourcePool moves pools, vApps and VMs under this pool or vApp,
// one at a time in list order, stopping at the first that cannot move (the
// reference: "transactional only with respect to each individual entity").
// Faults, as the reference lists them: InvalidArgument for an entity of
// another compute resource, a root pool, or a pool moved into itself or its
// own subtree (and, a choice where the reference is silent, a plain resource
// pool moved into a vApp, which vSphere's clients do not offer);
// DuplicateName when the target already has a child pool or vApp of that
// name. A VM moved into a vApp gets an entry in the vApp's entity
// configuration with vSphere's defaults; moved out, it loses it.
func (r *poolRoute) MoveIntoResourcePool(ctx *simulator.Context, req *types.MoveIntoResourcePool) soap.HasFault {
	return guarded(func() soap.HasFault { return moveIntoResourcePool(ctx, req) })
}

func moveIntoResourcePool(ctx *simulator.Context, req *types.MoveIntoResourcePool) soap.HasFault {
	body := new(methods.MoveIntoResourcePoolBody)
	targetObj := ctx.Map.Get(req.This)
	target, ok := poolOf(targetObj)
	if !ok {
		return notFoundBody(req.This)
	}
	for _, ref := range req.List {
		if fault := moveOne(ctx, targetObj, target, ref); fault != nil {
			body.Fault_ = simulator.Fault("", fault)
			return body
		}
	}
	body.Res = new(types.MoveIntoResourcePoolResponse)
	return body
}

func moveOne(ctx *simulator.Context, targetObj mo.Reference, target *mo.ResourcePool, ref types.ManagedObjectReference) types.BaseMethodFault {
	obj := ctx.Map.Get(ref)
	if obj == nil {
		return &types.ManagedObjectNotFound{Obj: ref}
	}
	_, intoVApp := targetObj.(*simulator.VirtualApp)
	switch e := obj.(type) {
	case *simulator.VirtualMachine:
		return moveVM(ctx, targetObj, target, e)
	case *simulator.ResourcePool, *simulator.VirtualApp:
		if _, isVApp := e.(*simulator.VirtualApp); intoVApp && !isVApp {
			return &types.InvalidArgument{InvalidProperty: "list"}
		}
		pool, _ := poolOf(e)
		return movePool(ctx, targetObj, target, e, pool)
	default:
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
}

func moveVM(ctx *simulator.Context, targetObj mo.Reference, target *mo.ResourcePool, vm *simulator.VirtualMachine) types.BaseMethodFault {
	if vm.ResourcePool == nil {
		// A template belongs to no pool; vSphere moves it with a folder.
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
	oldObj := ctx.Map.Get(*vm.ResourcePool)
	old, ok := poolOf(oldObj)
	if !ok {
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
	if old.Owner != target.Owner {
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
	if old.Self == target.Self {
		return nil
	}
	ctx.WithLock(oldObj, func() {
		ctx.Update(oldObj, []types.PropertyChange{{Name: "vm", Val: without(old.Vm, vm.Self)}})
		if a, ok := oldObj.(*simulator.VirtualApp); ok {
			removeEntityConfig(ctx, a, vm.Self)
		}
	})
	ctx.WithLock(targetObj, func() {
		ctx.Update(targetObj, []types.PropertyChange{{Name: "vm", Val: with(target.Vm, vm.Self)}})
		if a, ok := targetObj.(*simulator.VirtualApp); ok {
			addEntityConfig(ctx, a, vm.Self, vm.Name)
		}
	})
	ctx.WithLock(vm, func() {
		ctx.Update(vm, []types.PropertyChange{{Name: "resourcePool", Val: target.Self}})
	})
	refreshVAppStates(ctx, old.Self)
	return nil
}

func movePool(ctx *simulator.Context, targetObj mo.Reference, target *mo.ResourcePool, obj mo.Reference, pool *mo.ResourcePool) types.BaseMethodFault {
	if pool.Parent == nil || pool.Parent.Type == "ComputeResource" || pool.Parent.Type == "ClusterComputeResource" {
		return &types.InvalidArgument{InvalidProperty: "list"} // a root pool
	}
	if pool.Owner != target.Owner {
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
	if *pool.Parent == target.Self {
		return nil
	}
	// Into itself or its own subtree: the target has the pool as an ancestor.
	for at := &target.Self; at != nil; {
		if *at == pool.Self {
			return &types.InvalidArgument{InvalidProperty: "list"}
		}
		p, ok := poolOf(ctx.Map.Get(*at))
		if !ok {
			break
		}
		at = p.Parent
	}
	for _, child := range target.ResourcePool {
		if e, ok := ctx.Map.Get(child).(mo.Entity); ok && e.Entity().Name == pool.Name {
			return &types.DuplicateName{Name: pool.Name, Object: child}
		}
	}
	oldObj := ctx.Map.Get(*pool.Parent)
	old, ok := poolOf(oldObj)
	if !ok {
		return &types.InvalidArgument{InvalidProperty: "list"}
	}
	ctx.WithLock(oldObj, func() {
		ctx.Update(oldObj, []types.PropertyChange{{Name: "resourcePool", Val: without(old.ResourcePool, pool.Self)}})
		if a, ok := oldObj.(*simulator.VirtualApp); ok {
			removeEntityConfig(ctx, a, pool.Self)
		}
	})
	ctx.WithLock(targetObj, func() {
		ctx.Update(targetObj, []types.PropertyChange{{Name: "resourcePool", Val: with(target.ResourcePool, pool.Self)}})
		if a, ok := targetObj.(*simulator.VirtualApp); ok {
			addEntityConfig(ctx, a, pool.Self, pool.Name)
		}
	})
	ctx.WithLock(obj, func() {
		ctx.Update(obj, []types.PropertyChange{{Name: "parent", Val: target.Self}})
	})
	refreshVAppStates(ctx, old.Self)
	refreshVAppStates(ctx, target.Self)
	return nil
}

// without and with build new reference lists (readers may hold the old one).
func without(list []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(list))
	for _, r := range list {
		if r != ref {
			out = append(out, r)
		}
	}
	return out
}

func with(list []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	out := without(list, ref)
	return append(out, ref)
}

func has(list []types.ManagedObjectReference, ref types.ManagedObjectReference) bool {
	for _, r := range list {
		if r == ref {
			return true
		}
	}
	return false
}
