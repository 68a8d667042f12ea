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

// waitQuestion waits for the VM to show a question.
func waitQuestion(t *testing.T, ctx context.Context, vm *object.VirtualMachine) *types.VirtualMachineQuestionInfo {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		var m mo.VirtualMachine
		must(t, "read question", vm.Properties(ctx, vm.Reference(), []string{"runtime.question", "config.uuid"}, &m))
		if m.Runtime.Question != nil {
			return m.Runtime.Question
		}
	}
	t.Fatal("no question appeared")
	return nil
}

func uuidOf(t *testing.T, ctx context.Context, vm *object.VirtualMachine) string {
	t.Helper()
	var m mo.VirtualMachine
	must(t, "read uuid", vm.Properties(ctx, vm.Reference(), []string{"config.uuid"}, &m))
	return m.Config.Uuid
}

func taskState(t *testing.T, ctx context.Context, task *object.Task) types.TaskInfoState {
	t.Helper()
	var m mo.Task
	must(t, "read task", task.Properties(ctx, task.Reference(), []string{"info.state"}, &m))
	return m.Info.State
}

func answer(ctx context.Context, vm *object.VirtualMachine, id, choice string) error {
	_, err := methods.AnswerVM(ctx, vm.Client(), &types.AnswerVM{This: vm.Reference(), QuestionId: id, AnswerChoice: choice})
	return err
}

func TestPowerOnAsksMovedOrCopied(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	powerOff(t, ctx, vm)
	setExtraConfig(t, ctx, vm, QuestionKey, QuestionUUIDAltered)
	before := uuidOf(t, ctx, vm)

	task, err := vm.PowerOn(ctx)
	must(t, "power on", err)
	q := waitQuestion(t, ctx, vm)
	if len(q.Choice.ChoiceInfo) != 3 || q.Choice.DefaultIndex != 2 {
		t.Fatalf("question choices %d, default %d", len(q.Choice.ChoiceInfo), q.Choice.DefaultIndex)
	}
	if got := q.Choice.ChoiceInfo[2].GetElementDescription().Label; got != "I Copied It" {
		t.Fatalf("default choice %q", got)
	}
	if len(q.Message) != 1 || q.Message[0].Id != "msg.uuid.altered" {
		t.Fatalf("question message %+v", q.Message)
	}
	// Blocked: the task runs, the VM is off.
	time.Sleep(100 * time.Millisecond)
	if s := taskState(t, ctx, task); s != types.TaskInfoStateRunning {
		t.Fatalf("power-on task %q while the question waits, want running", s)
	}
	if p := readVM(t, ctx, vm).power; p != types.VirtualMachinePowerStatePoweredOff {
		t.Fatalf("VM %q while its question waits", p)
	}

	wantFault(t, "answer another question", answer(ctx, vm, "nope", answerCopied), &types.InvalidArgument{})
	wantFault(t, "answer with no such choice", answer(ctx, vm, q.Id, "7"), &types.InvalidArgument{})
	must(t, "answer I Copied It", answer(ctx, vm, q.Id, answerCopied))
	must(t, "power-on task after the answer", task.Wait(ctx))
	if p := readVM(t, ctx, vm).power; p != types.VirtualMachinePowerStatePoweredOn {
		t.Fatalf("VM %q after the answer", p)
	}
	if after := uuidOf(t, ctx, vm); after == before {
		t.Fatal("a copied VM kept its BIOS UUID")
	}
	wantFault(t, "answer again", answer(ctx, vm, q.Id, answerCopied), &types.ConcurrentAccess{})

	// Answered once: the next power-on does not ask.
	powerOff(t, ctx, vm)
	powerOn(t, ctx, vm)
}

func TestQuestionMovedAndCancel(t *testing.T) {
	ctx, c := start(t, nil)
	vm := vmByName(t, ctx, c, "DC0_H0_VM0")
	powerOff(t, ctx, vm)
	setExtraConfig(t, ctx, vm, QuestionKey, QuestionUUIDAltered)
	before := uuidOf(t, ctx, vm)

	task, err := vm.PowerOn(ctx)
	must(t, "power on", err)
	must(t, "answer Cancel", answer(ctx, vm, waitQuestion(t, ctx, vm).Id, answerCancel))
	wantFault(t, "cancelled power-on", task.Wait(ctx), &types.RequestCanceled{})
	if p := readVM(t, ctx, vm).power; p != types.VirtualMachinePowerStatePoweredOff {
		t.Fatalf("VM %q after Cancel", p)
	}

	// Cancelled: it asks again.
	task, err = vm.PowerOn(ctx)
	must(t, "power on again", err)
	must(t, "answer I Moved It", answer(ctx, vm, waitQuestion(t, ctx, vm).Id, answerMoved))
	must(t, "power-on after Moved", task.Wait(ctx))
	if after := uuidOf(t, ctx, vm); after != before {
		t.Fatalf("a moved VM's BIOS UUID changed: %s -> %s", before, after)
	}
}
