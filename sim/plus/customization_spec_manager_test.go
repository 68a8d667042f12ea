package plus

import (
	"context"
	"sort"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func linuxItem(name string) types.CustomizationSpecItem {
	return types.CustomizationSpecItem{
		Info: types.CustomizationSpecInfo{Name: name, Type: "Linux", Description: "test"},
		Spec: types.CustomizationSpec{
			Identity: &types.CustomizationLinuxPrep{
				HostName: &types.CustomizationFixedName{Name: "web01"},
				Domain:   "example.com",
			},
			NicSettingMap: []types.CustomizationAdapterMapping{{
				Adapter: types.CustomizationIPSettings{Ip: &types.CustomizationDhcpIpGenerator{}},
			}},
		},
	}
}

// infoNames reads the manager's `info` property through the property
// collector, as a client sees it.
func infoNames(t *testing.T, ctx context.Context, c *govmomi.Client) map[string]types.CustomizationSpecInfo {
	t.Helper()
	var m mo.CustomizationSpecManager
	ref := *c.ServiceContent.CustomizationSpecManager
	must(t, "read info", property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"info"}, &m))
	out := map[string]types.CustomizationSpecInfo{}
	for _, i := range m.Info {
		out[i.Name] = i
	}
	return out
}

func keys(m map[string]types.CustomizationSpecInfo) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCustomizationSpecManagerKeepsVcsimDefaults(t *testing.T) {
	ctx, c := start(t, nil)
	m := object.NewCustomizationSpecManager(c.Client)
	infos := infoNames(t, ctx, c)
	for _, name := range []string{"vcsim-linux", "vcsim-linux-static", "vcsim-windows-static", "vcsim-windows-domain"} {
		if _, ok := infos[name]; !ok {
			t.Errorf("info lacks vcsim's default %q: %v", name, keys(infos))
		}
	}
	item, err := m.GetCustomizationSpec(ctx, "vcsim-linux")
	must(t, "get vcsim-linux", err)
	if _, ok := item.Spec.Identity.(*types.CustomizationLinuxPrep); !ok {
		t.Errorf("vcsim-linux identity is %T, want LinuxPrep", item.Spec.Identity)
	}
}

func TestCustomizationSpecManagerLifecycle(t *testing.T) {
	ctx, c := start(t, nil)
	m := object.NewCustomizationSpecManager(c.Client)

	exists, err := m.DoesCustomizationSpecExist(ctx, "web")
	must(t, "exists before create", err)
	if exists {
		t.Fatal("web exists before create")
	}
	_, err = m.GetCustomizationSpec(ctx, "web")
	wantFault(t, "get missing", err, &types.NotFound{})

	must(t, "create", m.CreateCustomizationSpec(ctx, linuxItem("web")))
	wantFault(t, "create again", m.CreateCustomizationSpec(ctx, linuxItem("web")), &types.AlreadyExists{})
	wantFault(t, "create unnamed", m.CreateCustomizationSpec(ctx, linuxItem("")), &types.InvalidArgument{})

	created, err := m.GetCustomizationSpec(ctx, "web")
	must(t, "get created", err)
	if created.Info.ChangeVersion == "" || created.Info.LastUpdateTime == nil {
		t.Fatalf("create set no changeVersion/lastUpdateTime: %+v", created.Info)
	}
	if id, ok := created.Spec.Identity.(*types.CustomizationLinuxPrep); !ok || id.Domain != "example.com" {
		t.Fatalf("stored spec differs: %#v", created.Spec.Identity)
	}
	if got := infoNames(t, ctx, c)["web"]; got.ChangeVersion != created.Info.ChangeVersion {
		t.Fatalf("info property has %q, Get has %q", got.ChangeVersion, created.Info.ChangeVersion)
	}

	// Overwrite: a stale changeVersion is refused, the current one accepted
	// and replaced by a new one.
	stale := *created
	stale.Info.ChangeVersion = "1"
	wantFault(t, "overwrite stale", m.OverwriteCustomizationSpec(ctx, stale), &types.ConcurrentAccess{})
	edited := *created
	edited.Info.Description = "edited"
	must(t, "overwrite current", m.OverwriteCustomizationSpec(ctx, edited))
	after, err := m.GetCustomizationSpec(ctx, "web")
	must(t, "get overwritten", err)
	if after.Info.Description != "edited" {
		t.Fatalf("overwrite kept description %q", after.Info.Description)
	}
	if after.Info.ChangeVersion == created.Info.ChangeVersion {
		t.Fatalf("overwrite kept changeVersion %q", after.Info.ChangeVersion)
	}
	wantFault(t, "overwrite with the version it replaced", m.OverwriteCustomizationSpec(ctx, edited), &types.ConcurrentAccess{})
	wantFault(t, "overwrite missing", m.OverwriteCustomizationSpec(ctx, linuxItem("nope")), &types.NotFound{})

	// Duplicate and rename.
	must(t, "duplicate", m.DuplicateCustomizationSpec(ctx, "web", "web-copy"))
	wantFault(t, "duplicate onto existing", m.DuplicateCustomizationSpec(ctx, "web", "vcsim-linux"), &types.AlreadyExists{})
	wantFault(t, "duplicate missing", m.DuplicateCustomizationSpec(ctx, "nope", "x"), &types.NotFound{})
	dup, err := m.GetCustomizationSpec(ctx, "web-copy")
	must(t, "get duplicate", err)
	if dup.Info.Description != "edited" {
		t.Fatalf("duplicate did not copy the spec: %+v", dup.Info)
	}
	must(t, "rename", m.RenameCustomizationSpec(ctx, "web-copy", "web-2"))
	wantFault(t, "rename onto existing", m.RenameCustomizationSpec(ctx, "web-2", "web"), &types.AlreadyExists{})
	wantFault(t, "rename missing", m.RenameCustomizationSpec(ctx, "web-copy", "x"), &types.NotFound{})
	infos := infoNames(t, ctx, c)
	if _, ok := infos["web-copy"]; ok {
		t.Fatalf("renamed item still listed under its old name: %v", keys(infos))
	}
	if _, ok := infos["web-2"]; !ok {
		t.Fatalf("renamed item not listed: %v", keys(infos))
	}

	// Delete.
	must(t, "delete", m.DeleteCustomizationSpec(ctx, "web"))
	wantFault(t, "delete again", m.DeleteCustomizationSpec(ctx, "web"), &types.NotFound{})
	exists, err = m.DoesCustomizationSpecExist(ctx, "web")
	must(t, "exists after delete", err)
	if exists {
		t.Fatal("web exists after delete")
	}
	infos = infoNames(t, ctx, c)
	if _, ok := infos["web"]; ok {
		t.Fatalf("deleted item still listed: %v", keys(infos))
	}
	if _, ok := infos["vcsim-linux"]; !ok {
		t.Fatalf("delete took other items: %v", keys(infos))
	}
}
