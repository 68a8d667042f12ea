package plus

import (
	"testing"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func TestDestroyVAppTakesItsVMsAndVApps(t *testing.T) {
	fx := newVAppFixture(t)
	inner, err := fx.vapp.CreateVApp(fx.ctx, "inner", types.DefaultResourceConfigSpec(), types.VAppConfigSpec{}, nil)
	must(t, "create a vApp in the vApp", err)
	task, err := inner.CreateChildVM(fx.ctx, types.VirtualMachineConfigSpec{
		Name:    "inner-vm",
		GuestId: "otherGuest",
		Files:   &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"},
	}, nil)
	must(t, "create a VM in the inner vApp", err)
	info, err := task.WaitForResult(fx.ctx)
	must(t, "create task", err)
	innerVM := info.Result.(types.ManagedObjectReference)
	if e := fx.entity(t, fx.vms[0]); e.Key == nil {
		t.Fatal("no entity config for the vApp's VM")
	}

	// A VM of the vApp destroyed on its own leaves its entity configuration.
	task, err = fx.vms[1].Destroy(fx.ctx)
	must(t, "destroy a VM of the vApp", err)
	must(t, "destroy task", task.Wait(fx.ctx))
	for _, e := range fx.read(t).VAppConfig.EntityConfig {
		if e.Key != nil && *e.Key == fx.vms[1].Reference() {
			t.Fatal("a destroyed VM is still in the vApp's entity configuration")
		}
	}

	// Refused while a VM in it runs; nothing goes.
	powerOn(t, fx.ctx, fx.vms[0])
	task, err = fx.vapp.Destroy(fx.ctx)
	must(t, "destroy a running vApp", err)
	wantFault(t, "destroy a running vApp", task.Wait(fx.ctx), &types.InvalidPowerState{})
	for _, ref := range []types.ManagedObjectReference{fx.vapp.Reference(), inner.Reference(), fx.vms[0].Reference(), innerVM} {
		if simulator.Map.Get(ref) == nil {
			t.Fatalf("a refused destroy removed %v", ref)
		}
	}

	// Stopped: the vApp goes with its VM, the inner vApp and its VM.
	powerOff(t, fx.ctx, fx.vms[0])
	parent := *fx.pool(t).Parent
	task, err = fx.vapp.Destroy(fx.ctx)
	must(t, "destroy the vApp", err)
	must(t, "destroy task", task.Wait(fx.ctx))
	for _, ref := range []types.ManagedObjectReference{fx.vapp.Reference(), inner.Reference(), fx.vms[0].Reference(), innerVM} {
		if simulator.Map.Get(ref) != nil {
			t.Fatalf("%v outlived its vApp", ref)
		}
	}
	rp, ok := simulator.Map.Get(parent).(*simulator.ResourcePool)
	if !ok {
		t.Fatalf("parent %v is no pool", parent)
	}
	for _, ref := range rp.ResourcePool.ResourcePool {
		if ref == fx.vapp.Reference() {
			t.Fatal("the parent pool still lists the vApp")
		}
	}
	for _, ref := range rp.ResourcePool.Vm {
		if ref == fx.vms[0].Reference() || ref == innerVM {
			t.Fatal("the vApp's VMs went to the parent pool")
		}
	}
}
