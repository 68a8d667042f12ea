package plus

import (
	"context"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func move(ctx context.Context, c *govmomi.Client, into types.ManagedObjectReference, list ...types.ManagedObjectReference) error {
	_, err := methods.MoveIntoResourcePool(ctx, c.Client, &types.MoveIntoResourcePool{This: into, List: list})
	return err
}

func poolInfo(t *testing.T, ctx context.Context, c *govmomi.Client, ref types.ManagedObjectReference) mo.ResourcePool {
	t.Helper()
	var p mo.ResourcePool
	must(t, "read pool", object.NewCommon(c.Client, ref).Properties(ctx, ref, []string{"vm", "resourcePool", "parent"}, &p))
	return p
}

func TestMoveIntoResourcePool(t *testing.T) {
	ctx, c := start(t, func(m *simulator.Model) { m.App = 1 })
	f := find.NewFinder(c.Client)
	root, err := f.ResourcePool(ctx, "/DC0/host/DC0_C0/Resources")
	must(t, "cluster root pool", err)
	spec := types.DefaultResourceConfigSpec()
	p1, err := root.Create(ctx, "P1", spec)
	must(t, "create P1", err)
	p2, err := p1.Create(ctx, "P2", spec)
	must(t, "create P2", err)
	vapp, err := f.VirtualApp(ctx, "/DC0/host/DC0_C0/Resources/DC0_C0_APP0")
	must(t, "find vApp", err)
	vm, err := f.VirtualMachine(ctx, "/DC0/vm/DC0_C0_RP0_VM0")
	must(t, "find VM", err)
	other, err := f.VirtualMachine(ctx, "/DC0/vm/DC0_H0_VM0")
	must(t, "find standalone host VM", err)

	vmPool := func() types.ManagedObjectReference {
		p, err := vm.ResourcePool(ctx)
		must(t, "vm pool", err)
		return p.Reference()
	}

	// A VM into a pool.
	must(t, "VM into P1", move(ctx, c, p1.Reference(), vm.Reference()))
	if got := vmPool(); got != p1.Reference() {
		t.Fatalf("VM's pool is %v, want P1", got)
	}
	if !has(poolInfo(t, ctx, c, p1.Reference()).Vm, vm.Reference()) || has(poolInfo(t, ctx, c, root.Reference()).Vm, vm.Reference()) {
		t.Fatal("pools' vm lists not updated")
	}

	// Into a vApp: a member with default start settings; out again: none.
	must(t, "VM into vApp", move(ctx, c, vapp.Reference(), vm.Reference()))
	if got := vmPool(); got != vapp.Reference() {
		t.Fatalf("VM's pool is %v, want the vApp", got)
	}
	entity := func() *types.VAppEntityConfigInfo {
		var a mo.VirtualApp
		must(t, "read vApp", vapp.Properties(ctx, vapp.Reference(), []string{"vAppConfig", "vm"}, &a))
		if !has(a.Vm, vm.Reference()) && a.VAppConfig != nil {
			for _, e := range a.VAppConfig.EntityConfig {
				if e.Key != nil && *e.Key == vm.Reference() {
					t.Fatal("entity config for a VM not in the vApp's vm list")
				}
			}
		}
		if a.VAppConfig == nil {
			return nil
		}
		for _, e := range a.VAppConfig.EntityConfig {
			if e.Key != nil && *e.Key == vm.Reference() {
				return &e
			}
		}
		return nil
	}
	if e := entity(); e == nil || e.StartAction != "powerOn" || e.StopAction != "powerOff" || e.StartOrder != 1 {
		t.Fatalf("entity config of the moved VM: %+v", e)
	}
	// The vApp still answers its own methods after a pool method on it.
	_, err = methods.UpdateVAppConfig(ctx, c.Client, &types.UpdateVAppConfig{This: vapp.Reference(), Spec: types.VAppConfigSpec{
		EntityConfig: []types.VAppEntityConfigInfo{{Key: refp(vm), StartOrder: 3}},
	}})
	must(t, "UpdateVAppConfig after MoveIntoResourcePool", err)
	if e := entity(); e == nil || e.StartOrder != 3 {
		t.Fatalf("entity config after the update: %+v", e)
	}
	must(t, "VM out of the vApp", move(ctx, c, p1.Reference(), vm.Reference()))
	if e := entity(); e != nil {
		t.Fatalf("entity config kept after the VM left: %+v", e)
	}

	// Refused moves.
	wantFault(t, "VM of another compute resource", move(ctx, c, p1.Reference(), other.Reference()), &types.InvalidArgument{})
	wantFault(t, "pool into itself", move(ctx, c, p1.Reference(), p1.Reference()), &types.InvalidArgument{})
	wantFault(t, "pool into its child", move(ctx, c, p2.Reference(), p1.Reference()), &types.InvalidArgument{})
	wantFault(t, "root pool", move(ctx, c, p1.Reference(), root.Reference()), &types.InvalidArgument{})
	wantFault(t, "plain pool into a vApp", move(ctx, c, vapp.Reference(), p2.Reference()), &types.InvalidArgument{})
	_, err = root.Create(ctx, "P2", spec)
	must(t, "create a second P2 under the root", err)
	wantFault(t, "pool onto a sibling's name", move(ctx, c, root.Reference(), p2.Reference()), &types.DuplicateName{})

	// A pool moves with its parent link.
	p3, err := p2.Create(ctx, "P3", spec)
	must(t, "create P3", err)
	must(t, "P3 up to P1", move(ctx, c, p1.Reference(), p3.Reference()))
	if got := poolInfo(t, ctx, c, p3.Reference()).Parent; got == nil || *got != p1.Reference() {
		t.Fatalf("P3's parent is %v, want P1", got)
	}
	if has(poolInfo(t, ctx, c, p2.Reference()).ResourcePool, p3.Reference()) || !has(poolInfo(t, ctx, c, p1.Reference()).ResourcePool, p3.Reference()) {
		t.Fatal("pools' resourcePool lists not updated")
	}
}
