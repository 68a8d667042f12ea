package plus

import (
	"fmt"
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vappRoute answers the VirtualApp methods vcsim lacks.
type vappRoute struct {
	route
	questions *questions
}

// UpdateVAppConfig changes what the spec sets and leaves the rest, as the
// reference says ("only the specified settings are changed"):
//   - product and property lists by ArrayUpdateSpec (add, edit, remove; remove
//     by removeKey, or info.key when a client sends only that). An edit
//     changes the fields it sets. Faults, as vcsim answers the same spec on a
//     VM's ReconfigVM_Task so a client sees one behaviour: InvalidArgument
//     for a key added twice or an edited/removed key that does not exist, and
//     (the reference requires ids unique per classId/instanceId without
//     naming the fault) InvalidArgument for a second property of the same id;
//   - ovfEnvironmentTransport, when sent: a single empty element clears it
//     (SOAP has no empty array; it is how a client asks to clear it);
//   - ipAssignment, eula,
//     installBootRequired/StopDelay, annotation, instanceUuid, managedBy:
//     replaced when set;
//   - entityConfig: per child (key must be one of the vApp's children, else
//     InvalidArgument), the fields set are changed. startAction must be none
//     or powerOn, stopAction none, powerOff, guestShutdown or suspend.
//
// While the vApp runs, its IP allocation policy, its OVF transports and
// the set of its properties (add/remove) cannot change (InvalidState): a
// choice where the reference is silent, following the vSphere client, which
// offers them only for a stopped vApp. Editing a property's value is allowed.
// The whole spec is checked before anything changes.
func (r *vappRoute) UpdateVAppConfig(ctx *simulator.Context, req *types.UpdateVAppConfig) soap.HasFault {
	a, ok := ctx.Map.Get(req.This).(*simulator.VirtualApp)
	if !ok {
		return notFoundBody(req.This)
	}
	var res soap.HasFault
	ctx.WithLock(a, func() {
		res = guarded(func() soap.HasFault {
			body := new(methods.UpdateVAppConfigBody)
			next, fault := applyVAppConfig(ctx, a, &req.Spec)
			if fault != nil {
				body.Fault_ = simulator.Fault("", fault)
				return body
			}
			ctx.Update(a, []types.PropertyChange{{Name: "vAppConfig", Val: next}})
			body.Res = new(types.UpdateVAppConfigResponse)
			return body
		})
	})
	return res
}

func invalid(property, why string) types.BaseMethodFault {
	f := &types.InvalidArgument{InvalidProperty: property}
	f.FaultMessage = []types.LocalizableMessage{{Key: "vcsim-plus", Message: why}}
	return f
}

// applyVAppConfig returns the vApp's configuration with spec applied, or the
// fault that refuses it; the vApp itself is not touched.
func applyVAppConfig(ctx *simulator.Context, a *simulator.VirtualApp, spec *types.VAppConfigSpec) (*types.VAppConfigInfo, types.BaseMethodFault) {
	var next types.VAppConfigInfo
	if a.VAppConfig != nil {
		if err := deepCopy(a.VAppConfig, &next); err != nil {
			return nil, &types.SystemError{Reason: err.Error()}
		}
	}
	running := vappRunning(ctx, a)
	refuseRunning := func(what string) types.BaseMethodFault {
		f := new(types.InvalidState)
		f.FaultMessage = []types.LocalizableMessage{{Key: "vcsim-plus", Message: what + " cannot change while the vApp is running"}}
		return f
	}

	products, fault := updateProducts(next.Product, spec.Product)
	if fault != nil {
		return nil, fault
	}
	next.Product = products

	for _, p := range spec.Property {
		if running && p.Operation != types.ArrayUpdateOperationEdit {
			return nil, refuseRunning("the vApp's properties")
		}
	}
	props, fault := updateProperties(next.Property, spec.Property)
	if fault != nil {
		return nil, fault
	}
	next.Property = props

	if spec.IpAssignment != nil {
		if running && spec.IpAssignment.IpAllocationPolicy != next.IpAssignment.IpAllocationPolicy {
			return nil, refuseRunning("the IP allocation policy")
		}
		next.IpAssignment = *spec.IpAssignment
	}
	if len(spec.OvfEnvironmentTransport) != 0 {
		transports := nonEmpty(spec.OvfEnvironmentTransport)
		if running && !reflect.DeepEqual(transports, nonEmpty(next.OvfEnvironmentTransport)) {
			return nil, refuseRunning("the OVF environment transports")
		}
		next.OvfEnvironmentTransport = transports
	}
	if len(spec.Eula) != 0 {
		next.Eula = spec.Eula
	}
	if spec.InstallBootRequired != nil {
		next.InstallBootRequired = *spec.InstallBootRequired
	}
	if spec.InstallBootStopDelay != 0 {
		next.InstallBootStopDelay = spec.InstallBootStopDelay
	}
	if spec.Annotation != "" {
		next.Annotation = spec.Annotation
	}
	if spec.InstanceUuid != "" {
		next.InstanceUuid = spec.InstanceUuid
	}
	if spec.ManagedBy != nil {
		next.ManagedBy = spec.ManagedBy
	}

	entities, fault := updateEntities(a, next.EntityConfig, spec.EntityConfig)
	if fault != nil {
		return nil, fault
	}
	next.EntityConfig = entities
	return &next, nil
}

// nonEmpty is list without its empty strings (nil when none is left).
func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// removeKeyOf is the key an ArrayUpdateSpec removes: removeKey (anyType,
// an int on the wire), else the info's key.
func removeKeyOf(s types.ArrayUpdateSpec, infoKey int32) int32 {
	switch k := s.RemoveKey.(type) {
	case int32:
		return k
	case int64:
		return int32(k)
	case int:
		return int32(k)
	}
	return infoKey
}

func updateProducts(list []types.VAppProductInfo, specs []types.VAppProductSpec) ([]types.VAppProductInfo, types.BaseMethodFault) {
	out := append([]types.VAppProductInfo(nil), list...)
	find := func(key int32) int {
		for i := range out {
			if out[i].Key == key {
				return i
			}
		}
		return -1
	}
	for _, s := range specs {
		var info types.VAppProductInfo
		if s.Info != nil {
			info = *s.Info
		}
		switch s.Operation {
		case types.ArrayUpdateOperationAdd:
			if s.Info == nil || find(info.Key) >= 0 {
				return nil, invalid("spec.product.info.key", fmt.Sprintf("product key %d already exists", info.Key))
			}
			out = append(out, info)
		case types.ArrayUpdateOperationEdit:
			i := find(info.Key)
			if s.Info == nil || i < 0 {
				return nil, invalid("spec.product.info.key", fmt.Sprintf("no product with key %d", info.Key))
			}
			mergeSet(&out[i], &info)
		case types.ArrayUpdateOperationRemove:
			key := removeKeyOf(s.ArrayUpdateSpec, info.Key)
			i := find(key)
			if i < 0 {
				return nil, invalid("spec.product.removeKey", fmt.Sprintf("no product with key %d", key))
			}
			out = append(out[:i], out[i+1:]...)
		default:
			return nil, invalid("spec.product.operation", "unknown operation "+string(s.Operation))
		}
	}
	return out, nil
}

func updateProperties(list []types.VAppPropertyInfo, specs []types.VAppPropertySpec) ([]types.VAppPropertyInfo, types.BaseMethodFault) {
	out := append([]types.VAppPropertyInfo(nil), list...)
	find := func(key int32) int {
		for i := range out {
			if out[i].Key == key {
				return i
			}
		}
		return -1
	}
	// sameID: another property (not at index skip) with p's id.
	sameID := func(p types.VAppPropertyInfo, skip int) bool {
		for i := range out {
			if i != skip && p.Id != "" && out[i].Id == p.Id && out[i].ClassId == p.ClassId && out[i].InstanceId == p.InstanceId {
				return true
			}
		}
		return false
	}
	for _, s := range specs {
		var info types.VAppPropertyInfo
		if s.Info != nil {
			info = *s.Info
		}
		switch s.Operation {
		case types.ArrayUpdateOperationAdd:
			if s.Info == nil || find(info.Key) >= 0 {
				return nil, invalid("spec.property.info.key", fmt.Sprintf("property key %d already exists", info.Key))
			}
			if sameID(info, -1) {
				return nil, invalid("spec.property.info.id", fmt.Sprintf("property id %q already exists", info.Id))
			}
			out = append(out, info)
		case types.ArrayUpdateOperationEdit:
			i := find(info.Key)
			if s.Info == nil || i < 0 {
				return nil, invalid("spec.property.info.key", fmt.Sprintf("no property with key %d", info.Key))
			}
			merged := out[i]
			mergeSet(&merged, &info)
			if sameID(merged, i) {
				return nil, invalid("spec.property.info.id", fmt.Sprintf("property id %q already exists", merged.Id))
			}
			out[i] = merged
		case types.ArrayUpdateOperationRemove:
			key := removeKeyOf(s.ArrayUpdateSpec, info.Key)
			i := find(key)
			if i < 0 {
				return nil, invalid("spec.property.removeKey", fmt.Sprintf("no property with key %d", key))
			}
			out = append(out[:i], out[i+1:]...)
		default:
			return nil, invalid("spec.property.operation", "unknown operation "+string(s.Operation))
		}
	}
	return out, nil
}

// mergeSet copies into dst the fields src sets: non-empty strings, non-nil
// pointers (the key identifies, it is not copied).
func mergeSet(dst, src interface{}) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < s.NumField(); i++ {
		f := s.Field(i)
		if s.Type().Field(i).Name == "Key" {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			if f.String() != "" {
				d.Field(i).Set(f)
			}
		case reflect.Pointer:
			if !f.IsNil() {
				d.Field(i).Set(f)
			}
		}
	}
}

var (
	startActions = map[string]bool{"none": true, "powerOn": true}
	stopActions  = map[string]bool{"none": true, "powerOff": true, "guestShutdown": true, "suspend": true}
)

// updateEntities applies entity configurations. A zero start order or
// delay reads as "not set": the SOAP decoding vcsim uses cannot tell an
// absent number from 0.
func updateEntities(a *simulator.VirtualApp, list []types.VAppEntityConfigInfo, specs []types.VAppEntityConfigInfo) ([]types.VAppEntityConfigInfo, types.BaseMethodFault) {
	out := append([]types.VAppEntityConfigInfo(nil), list...)
	for _, s := range specs {
		if s.Key == nil || !(has(a.Vm, *s.Key) || has(a.VirtualApp.ResourcePool.ResourcePool, *s.Key)) {
			return nil, invalid("spec.entityConfig.key", "not a child of this vApp")
		}
		if s.StartAction != "" && !startActions[s.StartAction] {
			return nil, invalid("spec.entityConfig.startAction", "unknown start action "+s.StartAction)
		}
		if s.StopAction != "" && !stopActions[s.StopAction] {
			return nil, invalid("spec.entityConfig.stopAction", "unknown stop action "+s.StopAction)
		}
		if s.StartOrder < 0 || s.StartDelay < 0 || s.StopDelay < 0 {
			return nil, invalid("spec.entityConfig", "start order and delays cannot be negative")
		}
		i := -1
		for j := range out {
			if out[j].Key != nil && *out[j].Key == *s.Key {
				i = j
			}
		}
		if i < 0 {
			key := *s.Key
			out = append(out, types.VAppEntityConfigInfo{
				Key: &key, StartOrder: 1, StartDelay: defaultStartDelay, StopDelay: defaultStopDelay,
				StartAction: "powerOn", StopAction: "powerOff", WaitingForGuest: types.NewBool(false),
				DestroyWithParent: types.NewBool(true),
			})
			i = len(out) - 1
		}
		e := &out[i]
		if s.Tag != "" {
			e.Tag = s.Tag
		}
		if s.StartOrder != 0 {
			e.StartOrder = s.StartOrder
		}
		if s.StartDelay != 0 {
			e.StartDelay = s.StartDelay
		}
		if s.WaitingForGuest != nil {
			e.WaitingForGuest = s.WaitingForGuest
		}
		if s.StartAction != "" {
			e.StartAction = s.StartAction
		}
		if s.StopDelay != 0 {
			e.StopDelay = s.StopDelay
		}
		if s.StopAction != "" {
			e.StopAction = s.StopAction
		}
		if s.DestroyWithParent != nil {
			e.DestroyWithParent = s.DestroyWithParent
		}
	}
	return out, nil
}
