package plus

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The hang the vSphere provider ran into: once a call had been routed, a
// route object sat in vcsim's registry, and vcsim's searches over every
// object (FindByUuid, FindAllByIp, ...) panicked on it while holding the
// SearchIndex's lock, which nothing then released. Every later search
// waited forever. A search for a UUID that matches nothing visits every
// object, so it always met the route.
func TestSearchesAnswerAfterRoutedCalls(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")

	// Routed calls of each family, so each kind of route has been made.
	task, err := vm.PowerOff(ctx)
	must(t, "power off", err)
	must(t, "power off task", task.Wait(ctx))
	task, err = vm.PowerOn(ctx)
	must(t, "power on (routed)", err)
	must(t, "power on task", task.Wait(ctx))
	task, err = vm.CreateSnapshot(ctx, "s", "", false, false)
	must(t, "snapshot", err)
	must(t, "snapshot task", task.Wait(ctx))
	snap, err := vm.FindSnapshot(ctx, "s")
	must(t, "find snapshot", err)
	_, err = methods.RenameSnapshot(ctx, c.Client, &types.RenameSnapshot{This: *snap, Name: "t"})
	must(t, "rename snapshot (routed)", err)

	search := object.NewSearchIndex(c.Client)
	for i := 0; i < 3; i++ {
		// Each search gets its own deadline: a hang fails the test
		// instead of stalling it.
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ref, err := search.FindByUuid(sctx, nil, "00000000-0000-0000-0000-000000000000", true, nil)
		cancel()
		must(t, "FindByUuid of no VM", err)
		if ref != nil {
			t.Fatalf("FindByUuid of no VM found %v", ref)
		}
		sctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		refs, err := search.FindAllByIp(sctx, nil, "192.0.2.1", true)
		cancel()
		must(t, "FindAllByIp of no VM", err)
		if len(refs) != 0 {
			t.Fatalf("FindAllByIp of no VM found %v", refs)
		}
	}

	// The VM is still found by its UUID (the search works, not just
	// answers).
	var m mo.VirtualMachine
	must(t, "read the VM's uuid", vm.Properties(ctx, vm.Reference(), []string{"config.uuid"}, &m))
	uuid := m.Config.Uuid
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ref, err := search.FindByUuid(sctx, nil, uuid, true, nil)
	must(t, "FindByUuid of the VM", err)
	if ref == nil || ref.Reference() != vm.Reference() {
		t.Fatalf("FindByUuid of the VM found %v, want %v", ref, vm.Reference())
	}
}
