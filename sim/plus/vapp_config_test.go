package plus

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// vappFixture: the model's vApp with its two VMs, both powered off (so the
// vApp is stopped).
type vappFixture struct {
	ctx  context.Context
	c    *govmomi.Client
	vapp *object.VirtualApp
	vms  []*object.VirtualMachine
}

func newVAppFixture(t *testing.T) *vappFixture {
	t.Helper()
	ctx, c := start(t, func(m *simulator.Model) { m.App = 1 })
	f := find.NewFinder(c.Client)
	vapp, err := f.VirtualApp(ctx, "/DC0/host/DC0_C0/Resources/DC0_C0_APP0")
	must(t, "find vApp", err)
	fx := &vappFixture{ctx: ctx, c: c, vapp: vapp}
	for _, name := range []string{"DC0_C0_APP0_VM0", "DC0_C0_APP0_VM1"} {
		vm, err := f.VirtualMachine(ctx, "/DC0/vm/"+name)
		must(t, "find "+name, err)
		fx.vms = append(fx.vms, vm)
	}
	if s := fx.state(t); s != types.VirtualAppVAppStateStarted {
		t.Fatalf("vApp with running VMs reports %q, want started", s)
	}
	for _, vm := range fx.vms {
		powerOff(t, ctx, vm)
	}
	if s := fx.state(t); s != types.VirtualAppVAppStateStopped {
		t.Fatalf("vApp with no running VM reports %q, want stopped", s)
	}
	return fx
}

func (fx *vappFixture) read(t *testing.T) mo.VirtualApp {
	t.Helper()
	var a mo.VirtualApp
	must(t, "read vApp", fx.vapp.Properties(fx.ctx, fx.vapp.Reference(), []string{"vAppConfig", "summary", "vm"}, &a))
	return a
}

func (fx *vappFixture) state(t *testing.T) types.VirtualAppVAppState {
	t.Helper()
	s, ok := fx.read(t).Summary.(*types.VirtualAppSummary)
	if !ok {
		t.Fatalf("vApp summary is no VirtualAppSummary")
	}
	return s.VAppState
}

func (fx *vappFixture) update(spec types.VAppConfigSpec) error {
	_, err := methods.UpdateVAppConfig(fx.ctx, fx.c.Client, &types.UpdateVAppConfig{This: fx.vapp.Reference(), Spec: spec})
	return err
}

// raw sends a SOAP call on the vApp with the body's XML as written.
func (fx *vappFixture) raw(t *testing.T, method, args string) error {
	t.Helper()
	ref := fx.vapp.Reference()
	env := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<` + method + ` xmlns="urn:vim25"><_this type="` + ref.Type + `">` + ref.Value + `</_this>` + args + `</` + method + `>` +
		`</soapenv:Body></soapenv:Envelope>`
	req, err := http.NewRequestWithContext(fx.ctx, http.MethodPost, fx.c.URL().String(), strings.NewReader(env))
	must(t, "request", err)
	req.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	req.Header.Set("SOAPAction", "urn:vim25/"+fx.c.Client.Version)
	return fx.c.Client.Do(fx.ctx, req, func(res *http.Response) error {
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", res.Status, body)
		}
		return nil
	})
}

func (fx *vappFixture) entity(t *testing.T, vm *object.VirtualMachine) types.VAppEntityConfigInfo {
	t.Helper()
	for _, e := range fx.read(t).VAppConfig.EntityConfig {
		if e.Key != nil && *e.Key == vm.Reference() {
			return e
		}
	}
	t.Fatalf("no entity config for %v", vm.Reference())
	return types.VAppEntityConfigInfo{}
}

func prop(key int32, id, value string) types.VAppPropertySpec {
	return types.VAppPropertySpec{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            &types.VAppPropertyInfo{Key: key, Id: id, Label: id + " label", Type: "string", Value: value},
	}
}

func propsByKey(a mo.VirtualApp) map[int32]types.VAppPropertyInfo {
	out := map[int32]types.VAppPropertyInfo{}
	for _, p := range a.VAppConfig.Property {
		out[p.Key] = p
	}
	return out
}

func TestUpdateVAppConfigProductsAndSettings(t *testing.T) {
	fx := newVAppFixture(t)
	product := types.VAppProductSpec{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            &types.VAppProductInfo{Key: 7, Name: "shop", Vendor: "example", Version: "1.0"},
	}
	must(t, "add product", fx.update(types.VAppConfigSpec{
		VmConfigSpec: types.VmConfigSpec{
			Product:                 []types.VAppProductSpec{product},
			IpAssignment:            &types.VAppIPAssignmentInfo{IpAllocationPolicy: "fixedPolicy", IpProtocol: "IPv4"},
			OvfEnvironmentTransport: []string{"com.vmware.guestInfo"},
		},
		Annotation: "the shop",
	}))
	a := fx.read(t)
	var got *types.VAppProductInfo
	for i := range a.VAppConfig.Product {
		if a.VAppConfig.Product[i].Key == 7 {
			got = &a.VAppConfig.Product[i]
		}
	}
	if got == nil || got.Name != "shop" || got.Version != "1.0" {
		t.Fatalf("product after add: %+v", a.VAppConfig.Product)
	}
	if a.VAppConfig.IpAssignment.IpAllocationPolicy != "fixedPolicy" || len(a.VAppConfig.OvfEnvironmentTransport) != 1 || a.VAppConfig.Annotation != "the shop" {
		t.Fatalf("settings after update: %+v", a.VAppConfig)
	}
	// One empty element (what a client sends for an empty list) clears
	// the transports; the rest stays.
	// (govmomi leaves an empty element out, so the request is written here.)
	clear := `<spec><ovfEnvironmentTransport></ovfEnvironmentTransport></spec>`
	must(t, "clear transports", fx.raw(t, "UpdateVAppConfig", clear))
	if a := fx.read(t); len(a.VAppConfig.OvfEnvironmentTransport) != 0 || a.VAppConfig.Annotation != "the shop" {
		t.Fatalf("after clearing the transports: %q, annotation %q", a.VAppConfig.OvfEnvironmentTransport, a.VAppConfig.Annotation)
	}
	wantFault(t, "add product key twice", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{Product: []types.VAppProductSpec{product}}}), &types.InvalidArgument{})

	// Edit changes what it sets, keeps the rest.
	must(t, "edit product", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{Product: []types.VAppProductSpec{{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
		Info:            &types.VAppProductInfo{Key: 7, Version: "2.0"},
	}}}}))
	for _, p := range fx.read(t).VAppConfig.Product {
		if p.Key == 7 && (p.Version != "2.0" || p.Name != "shop") {
			t.Fatalf("product after edit: %+v", p)
		}
	}
	must(t, "remove product", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{Product: []types.VAppProductSpec{{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationRemove, RemoveKey: int32(7)},
	}}}}))
	for _, p := range fx.read(t).VAppConfig.Product {
		if p.Key == 7 {
			t.Fatal("product still there after remove")
		}
	}
}

func TestUpdateVAppConfigProperties(t *testing.T) {
	fx := newVAppFixture(t)
	must(t, "add properties", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(1, "db.host", "10.0.0.1"), prop(2, "db.port", "5432")},
	}}))
	wantFault(t, "add a key twice", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(1, "other", "x")},
	}}), &types.InvalidArgument{})
	wantFault(t, "add an id twice", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(3, "db.host", "x")},
	}}), &types.InvalidArgument{})

	// A refused spec changes nothing, even its valid parts.
	wantFault(t, "half-valid spec", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(4, "fine", "x"), prop(2, "clash", "x")},
	}}), &types.InvalidArgument{})
	if _, ok := propsByKey(fx.read(t))[4]; ok {
		t.Fatal("a refused spec added a property")
	}

	must(t, "edit a value", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
			Info:            &types.VAppPropertyInfo{Key: 1, Value: "10.0.0.2"},
		}},
	}}))
	if p := propsByKey(fx.read(t))[1]; p.Value != "10.0.0.2" || p.Id != "db.host" || p.Label != "db.host label" {
		t.Fatalf("property after editing its value: %+v", p)
	}
	wantFault(t, "edit a missing key", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
			Info:            &types.VAppPropertyInfo{Key: 99, Value: "x"},
		}},
	}}), &types.InvalidArgument{})

	must(t, "remove by removeKey", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationRemove, RemoveKey: int32(2)}}},
	}}))
	if _, ok := propsByKey(fx.read(t))[2]; ok {
		t.Fatal("property 2 still there after remove")
	}
	wantFault(t, "remove a missing key", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationRemove, RemoveKey: int32(2)}}},
	}}), &types.InvalidArgument{})
}

func TestUpdateVAppConfigWhileRunning(t *testing.T) {
	fx := newVAppFixture(t)
	must(t, "add property", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(1, "a", "1")},
	}}))
	powerOn(t, fx.ctx, fx.vms[0])
	if s := fx.state(t); s != types.VirtualAppVAppStateStarted {
		t.Fatalf("vApp state %q with a VM running, want started", s)
	}
	wantFault(t, "add property while running", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{prop(2, "b", "2")},
	}}), &types.InvalidState{})
	wantFault(t, "IP policy while running", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		IpAssignment: &types.VAppIPAssignmentInfo{IpAllocationPolicy: "dhcpPolicy"},
	}}), &types.InvalidState{})
	must(t, "edit a value while running", fx.update(types.VAppConfigSpec{VmConfigSpec: types.VmConfigSpec{
		Property: []types.VAppPropertySpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
			Info:            &types.VAppPropertyInfo{Key: 1, Value: "changed"},
		}},
	}}))
}

func TestUpdateVAppConfigEntities(t *testing.T) {
	fx := newVAppFixture(t)
	// The model's VMs are listed with vSphere's defaults.
	if e := fx.entity(t, fx.vms[0]); e.StartOrder != 1 || e.StartAction != "powerOn" || e.StopAction != "powerOff" || e.StartDelay != 120 {
		t.Fatalf("default entity config: %+v", e)
	}
	must(t, "set start settings", fx.update(types.VAppConfigSpec{EntityConfig: []types.VAppEntityConfigInfo{
		{Key: refp(fx.vms[0]), StartOrder: 2, StartDelay: 5, StopAction: "guestShutdown", WaitingForGuest: types.NewBool(true)},
		{Key: refp(fx.vms[1]), StartAction: "none"},
	}}))
	e0, e1 := fx.entity(t, fx.vms[0]), fx.entity(t, fx.vms[1])
	if e0.StartOrder != 2 || e0.StartDelay != 5 || e0.StopAction != "guestShutdown" || e0.WaitingForGuest == nil || !*e0.WaitingForGuest || e0.StartAction != "powerOn" {
		t.Fatalf("VM0 entity config: %+v", e0)
	}
	if e1.StartAction != "none" || e1.StartOrder != 1 {
		t.Fatalf("VM1 entity config: %+v", e1)
	}

	other := vmByName(t, fx.ctx, fx.c, "DC0_H0_VM0")
	wantFault(t, "a VM outside the vApp", fx.update(types.VAppConfigSpec{EntityConfig: []types.VAppEntityConfigInfo{
		{Key: refp(other), StartOrder: 3},
	}}), &types.InvalidArgument{})
	wantFault(t, "an unknown stop action", fx.update(types.VAppConfigSpec{EntityConfig: []types.VAppEntityConfigInfo{
		{Key: refp(fx.vms[0]), StopAction: "explode"},
	}}), &types.InvalidArgument{})
}

func refp(vm *object.VirtualMachine) *types.ManagedObjectReference {
	r := vm.Reference()
	return &r
}
