package plus

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func snapshotTree(t *testing.T, ctx context.Context, vm *object.VirtualMachine) map[string]types.VirtualMachineSnapshotTree {
	t.Helper()
	var m mo.VirtualMachine
	must(t, "read snapshots", vm.Properties(ctx, vm.Reference(), []string{"snapshot"}, &m))
	out := map[string]types.VirtualMachineSnapshotTree{}
	var walk func([]types.VirtualMachineSnapshotTree)
	walk = func(list []types.VirtualMachineSnapshotTree) {
		for _, n := range list {
			out[n.Snapshot.Value] = n
			walk(n.ChildSnapshotList)
		}
	}
	if m.Snapshot != nil {
		walk(m.Snapshot.RootSnapshotList)
	}
	return out
}

func TestRenameSnapshot(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	for _, name := range []string{"first", "second"} {
		task, err := vm.CreateSnapshot(ctx, name, name+" description", false, false)
		must(t, "snapshot "+name, err)
		must(t, "snapshot task "+name, task.Wait(ctx))
	}
	first, err := vm.FindSnapshot(ctx, "first")
	must(t, "find first", err)
	second, err := vm.FindSnapshot(ctx, "second")
	must(t, "find second", err)

	rename := func(ref types.ManagedObjectReference, name, description string) error {
		_, err := methods.RenameSnapshot(ctx, c.Client, &types.RenameSnapshot{This: ref, Name: name, Description: description})
		return err
	}

	// The child of the tree, both fields.
	must(t, "rename second", rename(*second, "renamed", "new words"))
	tree := snapshotTree(t, ctx, vm)
	if n := tree[second.Value]; n.Name != "renamed" || n.Description != "new words" {
		t.Fatalf("second after rename: %q / %q", n.Name, n.Description)
	}
	if n := tree[first.Value]; n.Name != "first" || n.Description != "first description" {
		t.Fatalf("rename touched the parent: %q / %q", n.Name, n.Description)
	}

	// Description only: the name stays.
	must(t, "describe first", rename(*first, "", "only the description"))
	tree = snapshotTree(t, ctx, vm)
	if n := tree[first.Value]; n.Name != "first" || n.Description != "only the description" {
		t.Fatalf("first after a description change: %q / %q", n.Name, n.Description)
	}

	wantFault(t, "blank name", rename(*first, "   ", ""), &types.InvalidName{})
	if n := snapshotTree(t, ctx, vm)[first.Value]; n.Name != "first" {
		t.Fatalf("a refused rename changed the name to %q", n.Name)
	}
}
