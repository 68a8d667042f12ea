// Package plus adds to govmomi's simulator the operations vcsim lacks.
//
// How it hooks in, and why this way: vcsim dispatches a SOAP call by
// reflection on the object its registry holds for the call's `this`. Almost
// all of vcsim's own code type-asserts those objects
// (`*simulator.VirtualMachine`, ...), so they cannot be replaced by wrappers.
// Instead, Registry.Handler (which vcsim consults before dispatching) points
// the calls we add or change at a "route" object of ours, registered under a
// type of its own, whose method finds the real object from the request's
// `this` and acts on it; every other call, and every internal use, stays on
// vcsim's own objects. (Returning a wrapper from the Handler is not enough:
// vcsim then replaces it with the session's view of the object, which for a
// logged-in session is the registry's object again.) The routes are kept
// out of vcsim's registry: vcsim walks every object there in places
// (FindByUuid, FindAllByIp, Fetch of a ManagedEntity) and panics on one that
// embeds no managed object type, leaving the lock it holds taken for good.
// Where vcsim's object is only ever reached through SOAP
// (CustomizationSpecManager), it is replaced outright. Effects that must
// follow an event anywhere in vcsim (a VM powering on, by whatever path) come
// from a registry handler (Registry.AddHandler), which sees every property
// change.
package plus

import (
	"fmt"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// route is an object of ours answering some methods for one vSphere
// object. There is one per object called (not one per type), because vcsim
// locks the object it dispatches to for the length of the call: one per
// type would make calls on different objects wait for each other.
type route struct {
	Self types.ManagedObjectReference
}

func (r *route) Reference() types.ManagedObjectReference { return r.Self }

// routeRef names the route of a family (one route type) for the object ref.
func routeRef(family string, ref types.ManagedObjectReference) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPlus" + family + "Route", Value: ref.Value}
}

// routeFamily is one route type: its name and how to make one.
type routeFamily struct {
	name string
	make func(self types.ManagedObjectReference) mo.Reference
}

// routeTable holds the routes made so far, by route ref. It is not vcsim's
// registry (see the package comment).
type routeTable struct {
	mu    sync.Mutex
	byRef map[types.ManagedObjectReference]mo.Reference
}

func newRouteTable() *routeTable {
	return &routeTable{byRef: make(map[types.ManagedObjectReference]mo.Reference)}
}

// get is the route at ref, made by newRoute the first time.
func (t *routeTable) get(ref types.ManagedObjectReference, newRoute func(types.ManagedObjectReference) mo.Reference) mo.Reference {
	t.mu.Lock()
	defer t.mu.Unlock()
	to, ok := t.byRef[ref]
	if !ok {
		to = newRoute(ref)
		t.byRef[ref] = to
	}
	return to
}

// drop forgets the route at ref; it reports whether there was one.
func (t *routeTable) drop(ref types.ManagedObjectReference) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.byRef[ref]
	delete(t.byRef, ref)
	return ok
}

// routeCleaner removes an object's routes when the object goes.
type routeCleaner struct {
	r        *simulator.Registry
	routes   *routeTable
	families []string
}

func (routeCleaner) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPlusRoutes", Value: "vcsim-plus-routes"}
}

func (routeCleaner) PutObject(mo.Reference) {}

func (routeCleaner) UpdateObject(*simulator.Context, mo.Reference, []types.PropertyChange) {}

func (c routeCleaner) RemoveObject(ctx *simulator.Context, ref types.ManagedObjectReference) {
	if strings.HasPrefix(ref.Type, "VcsimPlus") {
		return
	}
	for _, f := range c.families {
		if rr := routeRef(f, ref); c.routes.drop(rr) {
			// vcsim keeps a lock per ref it has locked (the route's, by
			// its dispatch); Remove frees it. The route was never Put,
			// so the handlers hear of an object they never saw.
			c.r.Remove(ctx, rr)
		}
	}
}

// Install adds the operations to the simulator whose registry is r. Call it
// after the model is created and before the server answers. The methods
// named in without (e.g. "UpdateVAppConfig") are left to vcsim, so a test
// written for vcsim's answer to them still gets it; an unknown name is an
// error.
func Install(r *simulator.Registry, without ...string) error {
	_, err := install(r, without...)
	return err
}

// install is Install, returning the table of routes it keeps.
func install(r *simulator.Registry, without ...string) (*routeTable, error) {
	c := newCustomizations()
	q := newQuestions()
	vm := routeFamily{"VirtualMachine", func(self types.ManagedObjectReference) mo.Reference {
		return &vmRoute{route: route{Self: self}, customizations: c, questions: q}
	}}
	snapshot := routeFamily{"Snapshot", func(self types.ManagedObjectReference) mo.Reference {
		return &snapshotRoute{route: route{Self: self}}
	}}
	pool := routeFamily{"Pool", func(self types.ManagedObjectReference) mo.Reference {
		return &poolRoute{route: route{Self: self}}
	}}
	vapp := routeFamily{"VirtualApp", func(self types.ManagedObjectReference) mo.Reference {
		return &vappRoute{route: route{Self: self}, questions: q}
	}}
	routes := map[string]routeFamily{
		"VirtualMachine.CustomizeVM_Task":       vm,
		"VirtualMachine.CloneVM_Task":           vm,
		"VirtualMachine.PowerOnVM_Task":         vm,
		"VirtualMachine.AnswerVM":               vm,
		"VirtualMachineSnapshot.RenameSnapshot": snapshot,
		"ResourcePool.MoveIntoResourcePool":     pool,
		"VirtualApp.MoveIntoResourcePool":       pool,
		"VirtualApp.UpdateConfig":               pool,
		"VirtualApp.Rename_Task":                pool,
		"ResourcePool.Rename_Task":              pool,
		"VirtualApp.UpdateVAppConfig":           vapp,
		"VirtualApp.PowerOnVApp_Task":           vapp,
		"VirtualApp.PowerOffVApp_Task":          vapp,
		"VirtualApp.SuspendVApp_Task":           vapp,
		"VirtualApp.Destroy_Task":               vapp,
	}
	for _, name := range without {
		found := false
		for key := range routes {
			if strings.HasSuffix(key, "."+name) {
				delete(routes, key)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("vcsim-plus adds no method %q", name)
		}
	}

	r.AddHandler(c)
	r.AddHandler(q)
	installCustomizationSpecManager(r)
	installVAppStates(r)
	table := newRouteTable()
	r.AddHandler(routeCleaner{r: r, routes: table, families: []string{vm.name, snapshot.name, pool.name, vapp.name}})

	r.Handler = func(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		family, ok := routes[m.This.Type+"."+m.Name]
		if !ok {
			return nil, nil
		}
		obj := ctx.Map.Get(m.This)
		if obj == nil || disabled(obj, m.Name) {
			// vcsim answers ManagedObjectNotFound or MethodDisabled itself.
			return nil, nil
		}
		ref := routeRef(family.name, m.This)
		to := table.get(ref, family.make)
		// The request body keeps the real `this`; only the dispatch moves.
		m.This = ref
		return to, nil
	}
	return table, nil
}

// disabled reports whether the entity lists the method as disabled (vcsim
// checks this only on the object it dispatches to, which is ours).
func disabled(obj mo.Reference, method string) bool {
	e, ok := obj.(mo.Entity)
	if !ok {
		return false
	}
	for _, d := range e.Entity().DisabledMethod {
		if d == method {
			return true
		}
	}
	return false
}

// faultBody answers a call with a fault, for methods whose typed body we do
// not need.
type faultBody struct{ fault *soap.Fault }

func (b *faultBody) Fault() *soap.Fault { return b.fault }

func notFoundBody(ref types.ManagedObjectReference) soap.HasFault {
	return &faultBody{simulator.Fault("managed object not found: "+ref.String(), &types.ManagedObjectNotFound{Obj: ref})}
}
