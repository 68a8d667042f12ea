package plus

import (
	"testing"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func TestGuardedTurnsAPanicIntoAFault(t *testing.T) {
	res := guarded(func() soap.HasFault { panic("boom") })
	f := res.Fault()
	if f == nil {
		t.Fatal("a panic gave no fault")
	}
	if _, ok := f.Detail.Fault.(*types.SystemError); !ok {
		t.Fatalf("fault %T, want SystemError", f.Detail.Fault)
	}
}
