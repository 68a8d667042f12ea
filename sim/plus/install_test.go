package plus

import (
	"crypto/tls"
	"testing"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

func TestWithoutLeavesAMethodToVcsim(t *testing.T) {
	m := simulator.VPX()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	defer m.Remove()
	if err := Install(simulator.Map, "NoSuchMethod"); err == nil {
		t.Fatal("an unknown method name was accepted")
	}
}

func TestWithoutAnswersAsVcsim(t *testing.T) {
	m := simulator.VPX()
	m.App = 1
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	if err := Install(simulator.Map, "UpdateVAppConfig"); err != nil {
		t.Fatal(err)
	}
	s := m.Service.NewServer()
	defer func() { s.Close(); m.Remove() }()
	ctx, c := connect(t, s)
	vapp := simulator.Map.Any("VirtualApp").Reference()
	_, err := methods.UpdateVAppConfig(ctx, c.Client, &types.UpdateVAppConfig{This: vapp, Spec: types.VAppConfigSpec{Annotation: "x"}})
	wantFault(t, "UpdateVAppConfig left to vcsim", err, &types.MethodNotFound{})
	// The others are still there.
	_, err = methods.RenameSnapshot(ctx, c.Client, &types.RenameSnapshot{This: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "none"}})
	wantFault(t, "RenameSnapshot of a missing snapshot", err, &types.ManagedObjectNotFound{})
}

func TestRoutesGoWithTheirObject(t *testing.T) {
	m := simulator.VPX()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	table, err := install(simulator.Map)
	if err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	s := m.Service.NewServer()
	defer func() { s.Close(); m.Remove() }()
	ctx, c := connect(t, s)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	powerOff(t, ctx, vm)
	powerOn(t, ctx, vm) // a routed call: the VM now has a route
	route := routeRef("VirtualMachine", vm.Reference())
	has := func() bool {
		table.mu.Lock()
		defer table.mu.Unlock()
		_, ok := table.byRef[route]
		return ok
	}
	if !has() {
		t.Fatal("no route after a routed call")
	}
	// Kept out of vcsim's registry, whose walks over every object
	// cannot take it (see TestSearchesAnswerAfterRoutedCalls).
	if simulator.Map.Get(route) != nil {
		t.Fatal("the route is in vcsim's registry")
	}
	powerOff(t, ctx, vm)
	task, err := vm.Destroy(ctx)
	must(t, "destroy", err)
	must(t, "destroy task", task.Wait(ctx))
	if has() {
		t.Fatal("the route outlived its VM")
	}
}
