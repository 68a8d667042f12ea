package plus

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// vSphere's defaults for a vApp child's start settings.
const (
	defaultStartDelay = 120
	defaultStopDelay  = 120
)

// entityConfigs is the vApp's vAppConfig.entityConfig.
func entityConfigs(a *simulator.VirtualApp) []types.VAppEntityConfigInfo {
	if a.VAppConfig == nil {
		return nil
	}
	return a.VAppConfig.EntityConfig
}

// setEntityConfigs publishes a new entity configuration list.
func setEntityConfigs(ctx *simulator.Context, a *simulator.VirtualApp, list []types.VAppEntityConfigInfo) {
	if a.VAppConfig == nil {
		ctx.Update(a, []types.PropertyChange{{Name: "vAppConfig", Val: &types.VAppConfigInfo{}}})
	}
	ctx.Update(a, []types.PropertyChange{{Name: "vAppConfig.entityConfig", Val: list}})
}

// addEntityConfig gives a new child of the vApp vSphere's default start
// settings: started and stopped with the vApp in group 1, no waiting for
// its guest.
func addEntityConfig(ctx *simulator.Context, a *simulator.VirtualApp, child types.ManagedObjectReference, name string) {
	list := append([]types.VAppEntityConfigInfo(nil), entityConfigs(a)...)
	for _, e := range list {
		if e.Key != nil && *e.Key == child {
			return
		}
	}
	key := child
	list = append(list, types.VAppEntityConfigInfo{
		Key:               &key,
		Tag:               name,
		StartOrder:        1,
		StartDelay:        defaultStartDelay,
		WaitingForGuest:   types.NewBool(false),
		StartAction:       string(types.VAppAutoStartActionPowerOn),
		StopDelay:         defaultStopDelay,
		StopAction:        string(types.VAppAutoStartActionPowerOff),
		DestroyWithParent: types.NewBool(true),
	})
	setEntityConfigs(ctx, a, list)
}

// removeEntityConfig drops child's entry, if the vApp has one.
func removeEntityConfig(ctx *simulator.Context, a *simulator.VirtualApp, child types.ManagedObjectReference) {
	var list []types.VAppEntityConfigInfo
	found := false
	for _, e := range entityConfigs(a) {
		if e.Key != nil && *e.Key == child {
			found = true
			continue
		}
		list = append(list, e)
	}
	if found {
		setEntityConfigs(ctx, a, list)
	}
}
