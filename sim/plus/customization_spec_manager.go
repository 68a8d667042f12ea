package plus

import (
	"log"
	"strconv"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// CustomizationSpecManager is vSphere's store of named customization
// specifications, complete: vcsim's lacks Delete, Duplicate and Rename, keeps
// its items unexported and never checks changeVersion. It replaces vcsim's in
// the registry: nothing in vcsim reaches that object except through SOAP.
type CustomizationSpecManager struct {
	mo.CustomizationSpecManager

	items []types.CustomizationSpecItem
	// lastVersion is the newest changeVersion handed out, so two changes in
	// the same second still get different versions.
	lastVersion int64
}

// installCustomizationSpecManager puts a complete manager in place of
// vcsim's, keeping its items (vcsim-linux and the others) and key. An ESX
// model has no manager; it gets none.
func installCustomizationSpecManager(r *simulator.Registry) {
	si, ok := r.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	if !ok || si.Content.CustomizationSpecManager == nil {
		return
	}
	ref := si.Content.CustomizationSpecManager
	m := &CustomizationSpecManager{}
	m.Self = *ref
	if old, ok := r.Get(*ref).(*simulator.CustomizationSpecManager); ok {
		m.EncryptionKey = old.EncryptionKey
	}
	for _, item := range simulator.DefaultCustomizationSpec {
		var copied types.CustomizationSpecItem
		if err := deepCopy(&item, &copied); err != nil {
			// vcsim's own defaults always copy; keep the rest if one did not.
			log.Printf("vcsim-plus: default customization spec %q not copied: %s", item.Info.Name, err)
			continue
		}
		m.items = append(m.items, copied)
	}
	m.Info = m.infos()
	r.Put(m)
}

// infos is the value of the `info` property: every item's info, in order.
func (m *CustomizationSpecManager) infos() []types.CustomizationSpecInfo {
	out := make([]types.CustomizationSpecInfo, 0, len(m.items))
	for _, item := range m.items {
		out = append(out, item.Info)
	}
	return out
}

func (m *CustomizationSpecManager) find(name string) int {
	for i := range m.items {
		if m.items[i].Info.Name == name {
			return i
		}
	}
	return -1
}

// stamp gives info a new changeVersion and lastUpdateTime. vCenter's
// versions are opaque strings that look like seconds since the epoch; these
// are too, and strictly increasing.
func (m *CustomizationSpecManager) stamp(info *types.CustomizationSpecInfo) {
	now := time.Now()
	v := now.Unix()
	if v <= m.lastVersion {
		v = m.lastVersion + 1
	}
	m.lastVersion = v
	info.ChangeVersion = strconv.FormatInt(v, 10)
	info.LastUpdateTime = &now
}

// changed publishes the new `info` to property collectors.
func (m *CustomizationSpecManager) changed(ctx *simulator.Context) {
	ctx.Update(m, []types.PropertyChange{{Name: "info", Val: m.infos()}})
}

func notFound(name string) *soap.Fault {
	return simulator.Fault("The object or item referred to could not be found: '"+name+"'.", &types.NotFound{})
}

func alreadyExists(name string) *soap.Fault {
	return simulator.Fault("The specified key, name, or identifier '"+name+"' already exists.", &types.AlreadyExists{Name: name})
}

func (m *CustomizationSpecManager) DoesCustomizationSpecExist(ctx *simulator.Context, req *types.DoesCustomizationSpecExist) soap.HasFault {
	return &methods.DoesCustomizationSpecExistBody{
		Res: &types.DoesCustomizationSpecExistResponse{Returnval: m.find(req.Name) >= 0},
	}
}

func (m *CustomizationSpecManager) GetCustomizationSpec(ctx *simulator.Context, req *types.GetCustomizationSpec) soap.HasFault {
	body := new(methods.GetCustomizationSpecBody)
	i := m.find(req.Name)
	if i < 0 {
		body.Fault_ = notFound(req.Name)
		return body
	}
	// A copy, so the caller's later changes never reach the stored item.
	var item types.CustomizationSpecItem
	if err := deepCopy(&m.items[i], &item); err != nil {
		body.Fault_ = simulator.Fault(err.Error(), &types.SystemError{Reason: err.Error()})
		return body
	}
	body.Res = &types.GetCustomizationSpecResponse{Returnval: item}
	return body
}

func (m *CustomizationSpecManager) CreateCustomizationSpec(ctx *simulator.Context, req *types.CreateCustomizationSpec) soap.HasFault {
	body := new(methods.CreateCustomizationSpecBody)
	if req.Item.Info.Name == "" {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: item.info.name", &types.InvalidArgument{InvalidProperty: "item.info.name"})
		return body
	}
	if m.find(req.Item.Info.Name) >= 0 {
		body.Fault_ = alreadyExists(req.Item.Info.Name)
		return body
	}
	item := req.Item
	m.stamp(&item.Info)
	m.items = append(m.items, item)
	m.changed(ctx)
	body.Res = new(types.CreateCustomizationSpecResponse)
	return body
}

// OverwriteCustomizationSpec replaces a stored item. The reference: "if the
// changeVersion of the item does not match the one on the server,
// ConcurrentAccess". An item sent without a changeVersion is not checked
// (the reference is silent on that case; vCenter clients always send one they
// read, and a client that sends none asks for no check).
func (m *CustomizationSpecManager) OverwriteCustomizationSpec(ctx *simulator.Context, req *types.OverwriteCustomizationSpec) soap.HasFault {
	body := new(methods.OverwriteCustomizationSpecBody)
	i := m.find(req.Item.Info.Name)
	if i < 0 {
		body.Fault_ = notFound(req.Item.Info.Name)
		return body
	}
	if v := req.Item.Info.ChangeVersion; v != "" && v != m.items[i].Info.ChangeVersion {
		body.Fault_ = simulator.Fault("The operation is not allowed in the current state: the specification was changed by someone else.", &types.ConcurrentAccess{})
		return body
	}
	item := req.Item
	m.stamp(&item.Info)
	m.items[i] = item
	m.changed(ctx)
	body.Res = new(types.OverwriteCustomizationSpecResponse)
	return body
}

func (m *CustomizationSpecManager) DeleteCustomizationSpec(ctx *simulator.Context, req *types.DeleteCustomizationSpec) soap.HasFault {
	body := new(methods.DeleteCustomizationSpecBody)
	i := m.find(req.Name)
	if i < 0 {
		body.Fault_ = notFound(req.Name)
		return body
	}
	m.items = append(m.items[:i], m.items[i+1:]...)
	m.changed(ctx)
	body.Res = new(types.DeleteCustomizationSpecResponse)
	return body
}

// DuplicateCustomizationSpec copies an item under a new name. The copy is a
// new specification, so it gets its own changeVersion and lastUpdateTime.
func (m *CustomizationSpecManager) DuplicateCustomizationSpec(ctx *simulator.Context, req *types.DuplicateCustomizationSpec) soap.HasFault {
	body := new(methods.DuplicateCustomizationSpecBody)
	i := m.find(req.Name)
	if i < 0 {
		body.Fault_ = notFound(req.Name)
		return body
	}
	if m.find(req.NewName) >= 0 {
		body.Fault_ = alreadyExists(req.NewName)
		return body
	}
	var item types.CustomizationSpecItem
	if err := deepCopy(&m.items[i], &item); err != nil {
		body.Fault_ = simulator.Fault(err.Error(), &types.SystemError{Reason: err.Error()})
		return body
	}
	item.Info.Name = req.NewName
	m.stamp(&item.Info)
	m.items = append(m.items, item)
	m.changed(ctx)
	body.Res = new(types.DuplicateCustomizationSpecResponse)
	return body
}

// RenameCustomizationSpec renames an item in place. The reference is silent
// on whether a rename is a change; it changes what Overwrite must be sent, so
// the item gets a new changeVersion.
func (m *CustomizationSpecManager) RenameCustomizationSpec(ctx *simulator.Context, req *types.RenameCustomizationSpec) soap.HasFault {
	body := new(methods.RenameCustomizationSpecBody)
	i := m.find(req.Name)
	if i < 0 {
		body.Fault_ = notFound(req.Name)
		return body
	}
	if req.NewName != req.Name && m.find(req.NewName) >= 0 {
		body.Fault_ = alreadyExists(req.NewName)
		return body
	}
	m.items[i].Info.Name = req.NewName
	m.stamp(&m.items[i].Info)
	m.changed(ctx)
	body.Res = new(types.RenameCustomizationSpecResponse)
	return body
}
