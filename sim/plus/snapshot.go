package plus

import (
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// snapshotRoute answers the VirtualMachineSnapshot methods vcsim lacks.
type snapshotRoute struct {
	route
}

// RenameSnapshot sets a snapshot's name and/or description, which live in
// its VM's snapshot tree. Both arguments are optional (absent: unchanged).
// The reference lists InvalidName without saying what is invalid; a name
// that is blank (only white space) is refused, as vSphere's clients refuse
// one.
func (r *snapshotRoute) RenameSnapshot(ctx *simulator.Context, req *types.RenameSnapshot) soap.HasFault {
	body := new(methods.RenameSnapshotBody)
	snap, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachineSnapshot)
	if !ok {
		return notFoundBody(req.This)
	}
	if req.Name != "" && strings.TrimSpace(req.Name) == "" {
		body.Fault_ = simulator.Fault("The name '"+req.Name+"' is not valid", &types.InvalidName{Name: req.Name})
		return body
	}
	vm, ok := ctx.Map.Get(snap.Vm).(*simulator.VirtualMachine)
	if !ok {
		return notFoundBody(snap.Vm)
	}
	var res soap.HasFault = body
	ctx.WithLock(vm, func() {
		res = guarded(func() soap.HasFault { return renameInTree(ctx, vm, req, body) })
	})
	return res
}

// renameInTree renames the snapshot in its VM's tree (the caller holds the
// VM's lock).
func renameInTree(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.RenameSnapshot, body *methods.RenameSnapshotBody) soap.HasFault {
	if vm.Snapshot == nil {
		body.Fault_ = simulator.Fault("the snapshot is not in its VM's snapshot tree", &types.InvalidState{})
		return body
	}
	// A new tree, so readers of the old one never see it change.
	tree := copyTree(vm.Snapshot.RootSnapshotList)
	node := findSnapshot(tree, req.This)
	if node == nil {
		body.Fault_ = simulator.Fault("the snapshot is not in its VM's snapshot tree", &types.InvalidState{})
		return body
	}
	if req.Name != "" {
		node.Name = req.Name
	}
	if req.Description != "" {
		node.Description = req.Description
	}
	ctx.Update(vm, []types.PropertyChange{{Name: "snapshot.rootSnapshotList", Val: tree}})
	body.Res = new(types.RenameSnapshotResponse)
	return body
}

func findSnapshot(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) *types.VirtualMachineSnapshotTree {
	for i := range tree {
		if tree[i].Snapshot == ref {
			return &tree[i]
		}
		if n := findSnapshot(tree[i].ChildSnapshotList, ref); n != nil {
			return n
		}
	}
	return nil
}

// copyTree copies the nodes (what a rename changes) of a snapshot tree.
func copyTree(in []types.VirtualMachineSnapshotTree) []types.VirtualMachineSnapshotTree {
	if in == nil {
		return nil
	}
	out := make([]types.VirtualMachineSnapshotTree, len(in))
	for i := range in {
		out[i] = in[i]
		out[i].ChildSnapshotList = copyTree(in[i].ChildSnapshotList)
	}
	return out
}
