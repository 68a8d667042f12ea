package plus

import (
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// The share counts vSphere gives a resource pool (and a vApp) for each
// level but custom: CPU 2000/4000/8000, memory 81920/163840/327680
// (the vSphere resource management guide's pool values).
var poolShares = map[string]map[types.SharesLevel]int32{
	"cpu":    {types.SharesLevelLow: 2000, types.SharesLevelNormal: 4000, types.SharesLevelHigh: 8000},
	"memory": {types.SharesLevelLow: 81920, types.SharesLevelNormal: 163840, types.SharesLevelHigh: 327680},
}

// UpdateConfig is VirtualApp.UpdateConfig (vcsim has it on plain pools
// only): a new name and/or new CPU and memory allocations. Each field of an
// allocation that is set replaces the vApp's; the rest stay. Faults, as the
// reference lists them: InvalidName for a blank name, DuplicateName for the
// name of another pool or vApp beside it, InvalidArgument for a negative
// reservation, a limit below -1, a reservation above the limit, an unknown
// share level or a negative custom share count. A share level other than
// custom gets vSphere's count for it. The whole request is checked before
// anything changes.
func (r *poolRoute) UpdateConfig(ctx *simulator.Context, req *types.UpdateConfig) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	var res soap.HasFault
	ctx.WithLock(a, func() {
		res = guarded(func() soap.HasFault {
			body := new(methods.UpdateConfigBody)
			var changes []types.PropertyChange
			if req.Name != "" {
				if fault := checkNewName(ctx, a, req.Name); fault != nil {
					body.Fault_ = simulator.Fault("", fault)
					return body
				}
				changes = append(changes, types.PropertyChange{Name: "name", Val: req.Name})
			}
			if req.Config != nil {
				next := a.Config
				for _, x := range []struct {
					kind     string
					from, to *types.ResourceAllocationInfo
				}{
					{"cpu", &req.Config.CpuAllocation, &next.CpuAllocation},
					{"memory", &req.Config.MemoryAllocation, &next.MemoryAllocation},
				} {
					alloc, fault := updateAllocation(x.kind, *x.to, x.from)
					if fault != nil {
						body.Fault_ = simulator.Fault("", fault)
						return body
					}
					*x.to = alloc
				}
				now := time.Now()
				next.LastModified = &now
				changes = append(changes, types.PropertyChange{Name: "config", Val: next})
			}
			if len(changes) != 0 {
				ctx.Update(a, changes)
			}
			body.Res = new(types.UpdateConfigResponse)
			return body
		})
	})
	return res
}

// updateAllocation is have with the fields want sets, checked.
func updateAllocation(kind string, have types.ResourceAllocationInfo, want *types.ResourceAllocationInfo) (types.ResourceAllocationInfo, types.BaseMethodFault) {
	prop := "config." + kind + "Allocation"
	if want.Reservation != nil {
		if *want.Reservation < 0 {
			return have, invalid(prop+".reservation", "a reservation is 0 or more")
		}
		v := *want.Reservation
		have.Reservation = &v
	}
	if want.Limit != nil {
		if *want.Limit < -1 {
			return have, invalid(prop+".limit", "a limit is -1 (unlimited) or more")
		}
		v := *want.Limit
		have.Limit = &v
	}
	if want.ExpandableReservation != nil {
		v := *want.ExpandableReservation
		have.ExpandableReservation = &v
	}
	if want.Shares != nil {
		s := *want.Shares
		if s.Level == types.SharesLevelCustom {
			if s.Shares < 0 {
				return have, invalid(prop+".shares.shares", "a custom share count is 0 or more")
			}
		} else if n, ok := poolShares[kind][s.Level]; ok {
			s.Shares = n
		} else {
			return have, invalid(prop+".shares.level", "no share level "+string(s.Level))
		}
		have.Shares = &s
	}
	if have.Reservation != nil && have.Limit != nil && *have.Limit != -1 && *have.Reservation > *have.Limit {
		return have, invalid(prop+".reservation", "the reservation is above the limit")
	}
	return have, nil
}

// RenameTask is Rename_Task for a resource pool or vApp (vcsim has it for
// folders, VMs and a few others only). Faults, as the reference lists
// them: InvalidName for a blank name, DuplicateName for the name of
// another pool or vApp beside it (checked when the task runs).
func (r *poolRoute) RenameTask(ctx *simulator.Context, req *types.Rename_Task) soap.HasFault {
	obj, ok := ctx.Map.Get(req.This).(mo.Entity)
	if _, isPool := poolOf(obj); !ok || !isPool {
		return notFoundBody(req.This)
	}
	task := simulator.CreateTask(obj, "rename", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if fault := checkNewName(ctx, obj, req.NewName); fault != nil {
			return nil, fault
		}
		ctx.Update(obj, []types.PropertyChange{{Name: "name", Val: req.NewName}})
		return nil, nil
	})
	return &methods.Rename_TaskBody{Res: &types.Rename_TaskResponse{Returnval: task.Run(ctx)}}
}

// checkNewName: may e be called name? Not when the name is blank, or when
// another pool or vApp beside it (in its parent pool) has it.
func checkNewName(ctx *simulator.Context, e mo.Entity, name string) types.BaseMethodFault {
	if strings.TrimSpace(name) == "" {
		return &types.InvalidName{Name: name, Entity: ptr(e.Reference())}
	}
	parent := e.Entity().Parent
	if parent == nil {
		return nil
	}
	siblings, ok := poolOf(ctx.Map.Get(*parent))
	if !ok {
		return nil
	}
	for _, ref := range siblings.ResourcePool {
		if ref == e.Reference() {
			continue
		}
		if other, ok := ctx.Map.Get(ref).(mo.Entity); ok && other.Entity().Name == name {
			return &types.DuplicateName{Name: name, Object: ref}
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
