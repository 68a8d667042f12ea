package plus

import (
	"fmt"
	"log"
	"runtime/debug"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// guarded runs f and turns a panic into a SystemError fault. vcsim takes
// an object's lock around a call without deferring its release, and
// net/http recovers a handler's panic: a panic under a lock would leave the
// object locked for good, and every later call on it waiting forever. The
// panic and its stack go to the log.
func guarded(f func() soap.HasFault) (res soap.HasFault) {
	defer func() {
		if p := recover(); p != nil {
			log.Printf("vcsim-plus: panic: %v\n%s", p, debug.Stack())
			reason := fmt.Sprintf("vcsim-plus: %v", p)
			res = &faultBody{simulator.Fault(reason, &types.SystemError{Reason: reason})}
		}
	}()
	return f()
}
