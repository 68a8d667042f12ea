package plus

import (
	"context"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func linuxSpec(host, ip string) types.CustomizationSpec {
	return types.CustomizationSpec{
		Identity: &types.CustomizationLinuxPrep{
			HostName: &types.CustomizationFixedName{Name: host},
			Domain:   "example.com",
		},
		GlobalIPSettings: types.CustomizationGlobalIPSettings{DnsServerList: []string{"10.0.0.53"}},
		NicSettingMap: []types.CustomizationAdapterMapping{{
			Adapter: types.CustomizationIPSettings{
				Ip:         &types.CustomizationFixedIp{IpAddress: ip},
				SubnetMask: "255.255.255.0",
				Gateway:    []string{"10.0.0.1"},
			},
		}},
	}
}

func sysprepSpec(name string) types.CustomizationSpec {
	return types.CustomizationSpec{
		Identity: &types.CustomizationSysprep{
			UserData: types.CustomizationUserData{
				FullName: "ops", OrgName: "example",
				ComputerName: &types.CustomizationFixedName{Name: name},
			},
			Identification: types.CustomizationIdentification{JoinWorkgroup: "WORKGROUP"},
		},
		NicSettingMap: []types.CustomizationAdapterMapping{{
			Adapter: types.CustomizationIPSettings{Ip: &types.CustomizationDhcpIpGenerator{}},
		}},
	}
}

type vmState struct {
	host, ip, pending string
	power             types.VirtualMachinePowerState
}

func readVM(t *testing.T, ctx context.Context, vm *object.VirtualMachine) vmState {
	t.Helper()
	var m mo.VirtualMachine
	must(t, "read vm", vm.Properties(ctx, vm.Reference(), []string{"guest", "config.tools", "runtime.powerState"}, &m))
	s := vmState{power: m.Runtime.PowerState}
	if m.Guest != nil {
		s.host, s.ip = m.Guest.HostName, m.Guest.IpAddress
	}
	if m.Config != nil && m.Config.Tools != nil {
		s.pending = m.Config.Tools.PendingCustomization
	}
	return s
}

// customizationEvents lists the Customization* events posted for vm, by
// type name, oldest first.
func customizationEvents(t *testing.T, ctx context.Context, c *govmomi.Client, vm *object.VirtualMachine) ([]string, []types.BaseEvent) {
	t.Helper()
	events, err := event.NewManager(c.Client).QueryEvents(ctx, types.EventFilterSpec{
		Entity: &types.EventFilterSpecByEntity{Entity: vm.Reference(), Recursion: types.EventFilterSpecRecursionOptionSelf},
	})
	must(t, "query events", err)
	var names []string
	var kept []types.BaseEvent
	// QueryEvents answers newest first.
	for i := len(events) - 1; i >= 0; i-- {
		switch events[i].(type) {
		case *types.CustomizationStartedEvent:
			names = append(names, "CustomizationStartedEvent")
		case *types.CustomizationSucceeded:
			names = append(names, "CustomizationSucceeded")
		case *types.CustomizationLinuxIdentityFailed:
			names = append(names, "CustomizationLinuxIdentityFailed")
		case *types.CustomizationSysprepFailed:
			names = append(names, "CustomizationSysprepFailed")
		case *types.CustomizationFailed:
			names = append(names, "CustomizationFailed")
		default:
			continue
		}
		kept = append(kept, events[i])
	}
	return names, kept
}

func wantEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("customization events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("customization events %v, want %v", got, want)
		}
	}
}

func powerOff(t *testing.T, ctx context.Context, vm *object.VirtualMachine) {
	t.Helper()
	task, err := vm.PowerOff(ctx)
	must(t, "power off", err)
	must(t, "power off task", task.Wait(ctx))
}

func powerOn(t *testing.T, ctx context.Context, vm *object.VirtualMachine) {
	t.Helper()
	task, err := vm.PowerOn(ctx)
	must(t, "power on", err)
	must(t, "power on task", task.Wait(ctx))
}

func customize(ctx context.Context, vm *object.VirtualMachine, spec types.CustomizationSpec) error {
	task, err := vm.Customize(ctx, spec)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

func setExtraConfig(t *testing.T, ctx context.Context, vm *object.VirtualMachine, key, value string) {
	t.Helper()
	task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
		ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: key, Value: value}},
	})
	must(t, "reconfigure", err)
	must(t, "reconfigure task", task.Wait(ctx))
}

func TestCustomizeRunsAtPowerOn(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	powerOff(t, ctx, vm)
	before := readVM(t, ctx, vm)

	must(t, "customize", customize(ctx, vm, linuxSpec("web01", "10.0.0.5")))
	pending := readVM(t, ctx, vm)
	if pending.pending == "" {
		t.Fatal("no pendingCustomization after CustomizeVM_Task")
	}
	if pending.host != before.host {
		t.Fatalf("host name changed before power-on: %q", pending.host)
	}
	wantFault(t, "customize twice", customize(ctx, vm, linuxSpec("web01", "10.0.0.5")), &types.CustomizationPending{})
	names, _ := customizationEvents(t, ctx, c, vm)
	wantEvents(t, names)

	powerOn(t, ctx, vm)
	got := readVM(t, ctx, vm)
	if got.host != "web01" || got.ip != "10.0.0.5" || got.pending != "" {
		t.Fatalf("after power-on: %+v, want host web01, ip 10.0.0.5, nothing pending", got)
	}
	names, _ = customizationEvents(t, ctx, c, vm)
	wantEvents(t, names, "CustomizationStartedEvent", "CustomizationSucceeded")

	// It ran once: the next boot changes nothing and posts nothing.
	powerOff(t, ctx, vm)
	powerOn(t, ctx, vm)
	names, _ = customizationEvents(t, ctx, c, vm)
	wantEvents(t, names, "CustomizationStartedEvent", "CustomizationSucceeded")
}

func TestCustomizeChecksTheVM(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	wantFault(t, "customize powered on", customize(ctx, vm, linuxSpec("a", "10.0.0.5")), &types.InvalidPowerState{})
	powerOff(t, ctx, vm)
	spec := linuxSpec("a", "10.0.0.5")
	spec.NicSettingMap = append(spec.NicSettingMap, spec.NicSettingMap[0])
	wantFault(t, "customize with two NIC settings for one NIC", customize(ctx, vm, spec), &types.NicSettingMismatch{})
}

func TestCustomizationFailsOnRequest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  types.CustomizationSpec
		event string
	}{
		{"linux", linuxSpec("web01", "10.0.0.5"), "CustomizationLinuxIdentityFailed"},
		{"sysprep", sysprepSpec("WIN01"), "CustomizationSysprepFailed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, c := start(t, nil)
			vm := vmByName(t, ctx, c, "DC0_H0_VM0")
			powerOff(t, ctx, vm)
			setExtraConfig(t, ctx, vm, FailKey, "customizationDisabled")
			before := readVM(t, ctx, vm)

			must(t, "customize", customize(ctx, vm, tc.spec))
			powerOn(t, ctx, vm)

			names, events := customizationEvents(t, ctx, c, vm)
			wantEvents(t, names, "CustomizationStartedEvent", tc.event)
			var reason string
			switch e := events[1].(type) {
			case *types.CustomizationLinuxIdentityFailed:
				reason = e.Reason
			case *types.CustomizationSysprepFailed:
				reason = e.Reason
			}
			if reason != "customizationDisabled" {
				t.Fatalf("failure event %T reason %q, want customizationDisabled", events[1], reason)
			}
			got := readVM(t, ctx, vm)
			if got.host != before.host || got.ip != before.ip {
				t.Fatalf("a failed customization changed the guest: %+v, was %+v", got, before)
			}
			if got.pending != "" {
				t.Fatalf("pendingCustomization %q after the attempt", got.pending)
			}
		})
	}
}

func cloneVM(ctx context.Context, src *object.VirtualMachine, name string, spec types.VirtualMachineCloneSpec) (*object.VirtualMachine, error) {
	folders, err := find.NewFinder(src.Client()).Datacenter(ctx, "DC0")
	if err != nil {
		return nil, err
	}
	dcFolders, err := folders.Folders(ctx)
	if err != nil {
		return nil, err
	}
	task, err := src.Clone(ctx, dcFolders.VmFolder, name, spec)
	if err != nil {
		return nil, err
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		return nil, err
	}
	return object.NewVirtualMachine(src.Client(), info.Result.(types.ManagedObjectReference)), nil
}

func TestCloneAppliesCustomization(t *testing.T) {
	ctx, c := start(t, nil)
	src := vmByName(t, ctx, c, "DC0_H0_VM0")

	spec := linuxSpec("clone01", "10.0.0.7")
	clone, err := cloneVM(ctx, src, "clone01", types.VirtualMachineCloneSpec{Customization: &spec})
	must(t, "clone", err)
	got := readVM(t, ctx, clone)
	if got.power != types.VirtualMachinePowerStatePoweredOff || got.pending == "" || got.host == "clone01" {
		t.Fatalf("fresh clone: %+v, want powered off with a customization pending", got)
	}
	powerOn(t, ctx, clone)
	got = readVM(t, ctx, clone)
	if got.host != "clone01" || got.ip != "10.0.0.7" {
		t.Fatalf("clone after power-on: %+v, want clone01 at 10.0.0.7", got)
	}
	names, _ := customizationEvents(t, ctx, c, clone)
	wantEvents(t, names, "CustomizationStartedEvent", "CustomizationSucceeded")
	if names, _ := customizationEvents(t, ctx, c, src); len(names) != 0 {
		t.Fatalf("the source VM was customized: %v", names)
	}

	// powerOn in the clone spec: customized by the time the task ends.
	spec = linuxSpec("clone02", "10.0.0.8")
	clone2, err := cloneVM(ctx, src, "clone02", types.VirtualMachineCloneSpec{Customization: &spec, PowerOn: true})
	must(t, "clone and power on", err)
	got = readVM(t, ctx, clone2)
	if got.power != types.VirtualMachinePowerStatePoweredOn || got.host != "clone02" || got.ip != "10.0.0.8" {
		t.Fatalf("clone with powerOn: %+v", got)
	}

	// The failure knob, set on the clone before its first power-on (as a
	// provider conforms a clone to its configuration). vcsim drops a clone
	// spec's config.extraConfig, so it is set by a reconfigure here.
	spec = linuxSpec("clone03", "10.0.0.9")
	clone3, err := cloneVM(ctx, src, "clone03", types.VirtualMachineCloneSpec{Customization: &spec})
	must(t, "clone that fails to customize", err)
	setExtraConfig(t, ctx, clone3, FailKey, "userDefinedScriptDisabled")
	powerOn(t, ctx, clone3)
	names, _ = customizationEvents(t, ctx, c, clone3)
	wantEvents(t, names, "CustomizationStartedEvent", "CustomizationLinuxIdentityFailed")
	if got := readVM(t, ctx, clone3); got.host == "clone03" {
		t.Fatalf("failed customization set the host name: %+v", got)
	}
}

func TestCloneRefusesMismatchedCustomization(t *testing.T) {
	ctx, c := start(t, nil)
	src := vmByName(t, ctx, c, "DC0_H0_VM0")
	spec := linuxSpec("x", "10.0.0.7")
	spec.NicSettingMap = nil
	_, err := cloneVM(ctx, src, "mismatch", types.VirtualMachineCloneSpec{Customization: &spec})
	wantFault(t, "clone with no NIC settings", err, &types.NicSettingMismatch{})
	ref, err := object.NewSearchIndex(c.Client).FindByInventoryPath(ctx, "/DC0/vm/mismatch")
	must(t, "look for the refused clone", err)
	if ref != nil {
		t.Fatalf("a refused clone was left behind: %v", ref.Reference())
	}
}
