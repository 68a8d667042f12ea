package plus

import (
	"github.com/google/uuid"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// postEvents posts to the EventManager as vCenter's own services do, under
// its lock, so history collectors and alarms see them.
func postEvents(ctx *simulator.Context, events ...types.BaseEvent) {
	em := ctx.Map.EventManager()
	ctx.WithLock(em, func() {
		for _, e := range events {
			em.PostEvent(ctx, &types.PostEvent{EventToPost: e})
		}
	})
}

// vmEvent fills the arguments vCenter gives a VM's events: its datacenter,
// compute resource, host, first datastore and the VM itself, so a collector
// filtered on any of them sees the event.
func vmEvent(ctx *simulator.Context, vm *simulator.VirtualMachine) types.VmEvent {
	e := types.VmEvent{Event: types.Event{
		Vm: &types.VmEventArgument{
			EntityEventArgument: types.EntityEventArgument{Name: vm.Name},
			Vm:                  vm.Self,
		},
	}}
	if vm.Runtime.Host != nil {
		if host, ok := ctx.Map.Get(*vm.Runtime.Host).(mo.Entity); ok {
			e.Host = &types.HostEventArgument{
				EntityEventArgument: types.EntityEventArgument{Name: host.Entity().Name},
				Host:                host.Reference(),
			}
			if p := host.Entity().Parent; p != nil {
				if cr, ok := ctx.Map.Get(*p).(mo.Entity); ok {
					e.ComputeResource = &types.ComputeResourceEventArgument{
						EntityEventArgument: types.EntityEventArgument{Name: cr.Entity().Name},
						ComputeResource:     cr.Reference(),
					}
				}
			}
			if dc := datacenterOf(ctx, host); dc != nil {
				e.Datacenter = &types.DatacenterEventArgument{
					EntityEventArgument: types.EntityEventArgument{Name: dc.Entity().Name},
					Datacenter:          dc.Reference(),
				}
			}
		}
	}
	if len(vm.Datastore) != 0 {
		if ds, ok := ctx.Map.Get(vm.Datastore[0]).(mo.Entity); ok {
			e.Ds = &types.DatastoreEventArgument{
				EntityEventArgument: types.EntityEventArgument{Name: ds.Entity().Name},
				Datastore:           ds.Reference(),
			}
		}
	}
	return e
}

// datacenterOf walks up the inventory from e to its datacenter.
func datacenterOf(ctx *simulator.Context, e mo.Entity) mo.Entity {
	for e != nil {
		if e.Reference().Type == "Datacenter" {
			return e
		}
		p := e.Entity().Parent
		if p == nil {
			return nil
		}
		next, ok := ctx.Map.Get(*p).(mo.Entity)
		if !ok {
			return nil
		}
		e = next
	}
	return nil
}

// newPendingID is a value for config.tools.pendingCustomization; vCenter's
// is an opaque identifier of the customization package.
func newPendingID() string {
	return uuid.New().String()
}
