package plus

import (
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func i64(v int64) *int64 { return &v }

func (fx *vappFixture) pool(t *testing.T) mo.ResourcePool {
	t.Helper()
	var p mo.ResourcePool
	must(t, "read vApp pool", fx.vapp.Properties(fx.ctx, fx.vapp.Reference(), []string{"name", "config", "parent"}, &p))
	return p
}

// updateConfig is ResourcePool.UpdateConfig on the vApp (govmomi's
// VirtualApp.UpdateConfig is UpdateVAppConfig).
func (fx *vappFixture) updateConfig(name string, spec *types.ResourceConfigSpec) error {
	_, err := methods.UpdateConfig(fx.ctx, fx.c.Client, &types.UpdateConfig{This: fx.vapp.Reference(), Name: name, Config: spec})
	return err
}

func TestVAppUpdateConfig(t *testing.T) {
	fx := newVAppFixture(t)
	spec := &types.ResourceConfigSpec{
		CpuAllocation: types.ResourceAllocationInfo{
			Reservation:           i64(100),
			Limit:                 i64(1000),
			ExpandableReservation: types.NewBool(false),
			Shares:                &types.SharesInfo{Level: types.SharesLevelCustom, Shares: 1234},
		},
		MemoryAllocation: types.ResourceAllocationInfo{
			Reservation: i64(256),
			Shares:      &types.SharesInfo{Level: types.SharesLevelHigh},
		},
	}
	must(t, "update allocation", fx.updateConfig("", spec))
	p := fx.pool(t)
	cpu, mem := p.Config.CpuAllocation, p.Config.MemoryAllocation
	if *cpu.Reservation != 100 || *cpu.Limit != 1000 || *cpu.ExpandableReservation || cpu.Shares.Shares != 1234 {
		t.Fatalf("cpu after update: %+v %+v", cpu, cpu.Shares)
	}
	if *mem.Reservation != 256 || mem.Shares.Level != types.SharesLevelHigh || mem.Shares.Shares != 327680 {
		t.Fatalf("memory after update: %+v %+v", mem, mem.Shares)
	}
	if p.Name != "DC0_C0_APP0" {
		t.Fatalf("an allocation update renamed the vApp: %q", p.Name)
	}

	// Only what is set changes.
	must(t, "update cpu limit", fx.updateConfig("", &types.ResourceConfigSpec{
		CpuAllocation: types.ResourceAllocationInfo{Limit: i64(2000)},
	}))
	cpu = fx.pool(t).Config.CpuAllocation
	if *cpu.Reservation != 100 || *cpu.Limit != 2000 || cpu.Shares.Shares != 1234 {
		t.Fatalf("cpu after a limit-only update: %+v", cpu)
	}

	// Refused, and nothing changes.
	for what, bad := range map[string]types.ResourceAllocationInfo{
		"reservation above the limit": {Reservation: i64(5000)},
		"negative reservation":        {Reservation: i64(-1)},
		"limit below -1":              {Limit: i64(-2)},
		"unknown share level":         {Shares: &types.SharesInfo{Level: "medium"}},
		"negative custom shares":      {Shares: &types.SharesInfo{Level: types.SharesLevelCustom, Shares: -5}},
	} {
		err := fx.updateConfig("renamed", &types.ResourceConfigSpec{CpuAllocation: bad})
		wantFault(t, what, err, &types.InvalidArgument{})
	}
	p = fx.pool(t)
	if *p.Config.CpuAllocation.Limit != 2000 || p.Name != "DC0_C0_APP0" {
		t.Fatalf("a refused update changed the vApp: %q %+v", p.Name, p.Config.CpuAllocation)
	}

	// A name, beside a pool that has one.
	root := object.NewResourcePool(fx.c.Client, *fx.pool(t).Parent)
	_, err := root.Create(fx.ctx, "taken", types.DefaultResourceConfigSpec())
	must(t, "create a sibling pool", err)
	wantFault(t, "a sibling's name", fx.updateConfig("taken", nil), &types.DuplicateName{})
	wantFault(t, "a blank name", fx.updateConfig(" ", nil), &types.InvalidName{})
	must(t, "rename by UpdateConfig", fx.updateConfig("shop", nil))
	if n := fx.pool(t).Name; n != "shop" {
		t.Fatalf("name after UpdateConfig: %q", n)
	}
}

func TestRenamePoolsAndVApps(t *testing.T) {
	fx := newVAppFixture(t)
	root := object.NewResourcePool(fx.c.Client, *fx.pool(t).Parent)
	pool, err := root.Create(fx.ctx, "pool", types.DefaultResourceConfigSpec())
	must(t, "create a pool", err)

	for _, c := range []struct {
		what string
		obj  object.Common
	}{{"vApp", fx.vapp.Common}, {"pool", pool.Common}} {
		task, err := c.obj.Rename(fx.ctx, c.what+"-renamed")
		must(t, "rename "+c.what, err)
		must(t, "rename task "+c.what, task.Wait(fx.ctx))
		name, err := c.obj.ObjectName(fx.ctx)
		must(t, "read name", err)
		if name != c.what+"-renamed" {
			t.Fatalf("%s after rename: %q", c.what, name)
		}
	}

	task, err := fx.vapp.Rename(fx.ctx, "pool-renamed")
	must(t, "rename to a sibling's name", err)
	wantFault(t, "rename to a sibling's name", task.Wait(fx.ctx), &types.DuplicateName{})
	task, err = pool.Rename(fx.ctx, "  ")
	must(t, "rename to a blank name", err)
	wantFault(t, "rename to a blank name", task.Wait(fx.ctx), &types.InvalidName{})
	if name, _ := fx.vapp.ObjectName(fx.ctx); name != "vApp-renamed" {
		t.Fatalf("a refused rename changed the vApp: %q", name)
	}
}
