package plus

import (
	"testing"

	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

func (fx *vappFixture) powerOnVApp(t *testing.T) error {
	t.Helper()
	res, err := methods.PowerOnVApp_Task(fx.ctx, fx.c.Client, &types.PowerOnVApp_Task{This: fx.vapp.Reference()})
	if err != nil {
		return err
	}
	return object.NewTask(fx.c.Client, res.Returnval).Wait(fx.ctx)
}

func (fx *vappFixture) powerOffVApp(t *testing.T, force bool) error {
	t.Helper()
	res, err := methods.PowerOffVApp_Task(fx.ctx, fx.c.Client, &types.PowerOffVApp_Task{This: fx.vapp.Reference(), Force: force})
	if err != nil {
		return err
	}
	return object.NewTask(fx.c.Client, res.Returnval).Wait(fx.ctx)
}

func (fx *vappFixture) suspendVApp(t *testing.T) error {
	t.Helper()
	res, err := methods.SuspendVApp_Task(fx.ctx, fx.c.Client, &types.SuspendVApp_Task{This: fx.vapp.Reference()})
	if err != nil {
		return err
	}
	return object.NewTask(fx.c.Client, res.Returnval).Wait(fx.ctx)
}

func (fx *vappFixture) power(t *testing.T) []types.VirtualMachinePowerState {
	t.Helper()
	var out []types.VirtualMachinePowerState
	for _, vm := range fx.vms {
		out = append(out, readVM(t, fx.ctx, vm).power)
	}
	return out
}

// lastEventKey is the key of the newest event of kind posted for vm (keys
// grow with time), 0 if none.
func (fx *vappFixture) lastEventKey(t *testing.T, vm *object.VirtualMachine, kind string) int32 {
	t.Helper()
	events, err := event.NewManager(fx.c.Client).QueryEvents(fx.ctx, types.EventFilterSpec{
		Entity:      &types.EventFilterSpecByEntity{Entity: vm.Reference(), Recursion: types.EventFilterSpecRecursionOptionSelf},
		EventTypeId: []string{kind},
	})
	must(t, "query events", err)
	var last int32
	for _, e := range events {
		if k := e.GetEvent().Key; k > last {
			last = k
		}
	}
	return last
}

func (fx *vappFixture) setEntities(t *testing.T, entities ...types.VAppEntityConfigInfo) {
	t.Helper()
	must(t, "set entity config", fx.update(types.VAppConfigSpec{EntityConfig: entities}))
}

func TestVAppPowerFollowsStartOrder(t *testing.T) {
	fx := newVAppFixture(t)
	vm0, vm1 := fx.vms[0], fx.vms[1]
	fx.setEntities(t,
		types.VAppEntityConfigInfo{Key: refp(vm0), StartOrder: 2, StopAction: "guestShutdown"},
		types.VAppEntityConfigInfo{Key: refp(vm1), StartOrder: 1, StopAction: "suspend"})

	must(t, "power on vApp", fx.powerOnVApp(t))
	if p := fx.power(t); p[0] != "poweredOn" || p[1] != "poweredOn" {
		t.Fatalf("after vApp power-on: %v", p)
	}
	if s := fx.state(t); s != types.VirtualAppVAppStateStarted {
		t.Fatalf("vApp state %q after power-on", s)
	}
	if on0, on1 := fx.lastEventKey(t, vm0, "VmPoweredOnEvent"), fx.lastEventKey(t, vm1, "VmPoweredOnEvent"); !(on1 < on0) {
		t.Fatalf("start order not followed: VM1 (order 1) on at event %d, VM0 (order 2) at %d", on1, on0)
	}

	// Stop in reverse order, each by its stop action.
	must(t, "power off vApp", fx.powerOffVApp(t, false))
	if p := fx.power(t); p[0] != "poweredOff" || p[1] != "suspended" {
		t.Fatalf("after vApp power-off: %v, want VM0 shut down and VM1 suspended", p)
	}
	if off0, susp1 := fx.lastEventKey(t, vm0, "VmPoweredOffEvent"), fx.lastEventKey(t, vm1, "VmSuspendedEvent"); !(off0 < susp1) {
		t.Fatalf("stop order not reversed: VM0 off at event %d, VM1 suspended at %d", off0, susp1)
	}
	if s := fx.state(t); s != types.VirtualAppVAppStateStopped {
		t.Fatalf("vApp state %q after power-off", s)
	}
}

func TestVAppPowerActions(t *testing.T) {
	fx := newVAppFixture(t)
	vm0, vm1 := fx.vms[0], fx.vms[1]

	// startAction none: left off.
	fx.setEntities(t, types.VAppEntityConfigInfo{Key: refp(vm0), StartAction: "none"})
	must(t, "power on vApp", fx.powerOnVApp(t))
	if p := fx.power(t); p[0] != "poweredOff" || p[1] != "poweredOn" {
		t.Fatalf("with VM0's start action none: %v", p)
	}

	// stopAction none: left running, unless forced.
	fx.setEntities(t, types.VAppEntityConfigInfo{Key: refp(vm1), StopAction: "none"})
	must(t, "power off vApp", fx.powerOffVApp(t, false))
	if p := fx.power(t); p[1] != "poweredOn" {
		t.Fatalf("with VM1's stop action none: %v", p)
	}
	must(t, "force power off vApp", fx.powerOffVApp(t, true))
	if p := fx.power(t); p[0] != "poweredOff" || p[1] != "poweredOff" {
		t.Fatalf("after a forced power-off: %v", p)
	}

	// Suspend suspends whatever runs.
	fx.setEntities(t, types.VAppEntityConfigInfo{Key: refp(vm0), StartAction: "powerOn"})
	must(t, "power on vApp again", fx.powerOnVApp(t))
	must(t, "suspend vApp", fx.suspendVApp(t))
	if p := fx.power(t); p[0] != "suspended" || p[1] != "suspended" {
		t.Fatalf("after suspending the vApp: %v", p)
	}
	if s := fx.state(t); s != types.VirtualAppVAppStateStopped {
		t.Fatalf("vApp state %q after suspend", s)
	}
}

func TestVAppPowerOnRunsCustomization(t *testing.T) {
	fx := newVAppFixture(t)
	must(t, "customize VM0", customize(fx.ctx, fx.vms[0], linuxSpec("member0", "10.0.0.20")))
	must(t, "power on vApp", fx.powerOnVApp(t))
	if got := readVM(t, fx.ctx, fx.vms[0]); got.host != "member0" || got.ip != "10.0.0.20" {
		t.Fatalf("VM0 after the vApp started: %+v", got)
	}
}

func TestVAppPowerOnNeedsAVM(t *testing.T) {
	fx := newVAppFixture(t)
	res, err := methods.CreateVApp(fx.ctx, fx.c.Client, &types.CreateVApp{
		This:       fx.vapp.Reference(),
		Name:       "empty",
		ResSpec:    types.DefaultResourceConfigSpec(),
		ConfigSpec: types.VAppConfigSpec{Annotation: "empty"},
	})
	must(t, "create an empty vApp", err)
	empty := &vappFixture{ctx: fx.ctx, c: fx.c, vapp: object.NewVirtualApp(fx.c.Client, res.Returnval)}
	wantFault(t, "power on an empty vApp", empty.powerOnVApp(t), &types.NoVmInVApp{})
}
