package plus

import (
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// QuestionKey is the extraConfig key that makes a VM's power-on ask the
// question vSphere asks of a VM whose files were moved or copied. Its value
// names the question; the one there is is QuestionUUIDAltered. The power-on
// task then waits (state running) with runtime.question set until AnswerVM
// answers it: "I Moved It" powers on as the VM was, "I Copied It" (the
// default) gives the VM a new BIOS UUID first, as vSphere does, and Cancel
// fails the power-on with RequestCanceled. Once answered with Moved or
// Copied, the VM does not ask again (vSphere records the answer in the VM's
// configuration); after Cancel it asks at the next power-on.
const QuestionKey = "vcsim.question"

// QuestionUUIDAltered is the moved-or-copied question (vSphere's
// msg.uuid.altered).
const QuestionUUIDAltered = "uuid.altered"

// The question's choices, keyed as vSphere keys them.
const (
	answerCancel = "0"
	answerMoved  = "1"
	answerCopied = "2"
)

type pendingQuestion struct {
	info   types.VirtualMachineQuestionInfo
	answer chan string
}

// questions holds the questions VMs wait on, and which VMs have answered.
type questions struct {
	mu       sync.Mutex
	pending  map[types.ManagedObjectReference]*pendingQuestion
	answered map[types.ManagedObjectReference]bool
}

func newQuestions() *questions {
	return &questions{
		pending:  make(map[types.ManagedObjectReference]*pendingQuestion),
		answered: make(map[types.ManagedObjectReference]bool),
	}
}

func (q *questions) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPlusQuestions", Value: "vcsim-plus-questions"}
}

func (q *questions) PutObject(mo.Reference) {}

func (q *questions) UpdateObject(*simulator.Context, mo.Reference, []types.PropertyChange) {}

// RemoveObject releases a power-on waiting on a VM that is gone.
func (q *questions) RemoveObject(_ *simulator.Context, ref types.ManagedObjectReference) {
	q.mu.Lock()
	p := q.pending[ref]
	delete(q.pending, ref)
	delete(q.answered, ref)
	q.mu.Unlock()
	if p != nil {
		p.answer <- answerCancel
	}
}

// shouldAsk: the VM is set to ask, and has not answered yet.
func (q *questions) shouldAsk(vm *simulator.VirtualMachine) bool {
	if vm.Config == nil || vm.Config.Template || extraConfigValue(vm, QuestionKey) != QuestionUUIDAltered {
		return false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	_, waiting := q.pending[vm.Self]
	return !q.answered[vm.Self] && !waiting
}

// ask puts the question on the VM (the caller holds its lock) and returns
// where the answer will come.
func (q *questions) ask(ctx *simulator.Context, vm *simulator.VirtualMachine) <-chan string {
	label := func(key, text string) types.BaseElementDescription {
		return &types.ElementDescription{Description: types.Description{Label: text, Summary: text}, Key: key}
	}
	text := "This virtual machine might have been moved or copied. In order to configure certain management and networking features, VMware ESX needs to know if this virtual machine was moved or copied. If you don't know, answer \"I Copied It\"."
	p := &pendingQuestion{
		info: types.VirtualMachineQuestionInfo{
			Id:   uuid.New().String(),
			Text: text,
			Choice: types.ChoiceOption{
				ChoiceInfo: []types.BaseElementDescription{
					label(answerCancel, "Cancel"), label(answerMoved, "I Moved It"), label(answerCopied, "I Copied It"),
				},
				DefaultIndex: 2,
			},
			Message: []types.VirtualMachineMessage{{Id: "msg.uuid.altered", Text: text}},
		},
		answer: make(chan string, 1),
	}
	q.mu.Lock()
	q.pending[vm.Self] = p
	q.mu.Unlock()
	info := p.info
	ctx.Update(vm, []types.PropertyChange{
		{Name: "runtime.question", Val: &info},
		{Name: "summary.runtime.question", Val: &info},
	})
	return p.answer
}

// powerOn is PowerOnVM_Task: vcsim's, unless the VM is to ask its
// question first. The task is created at once (and shown running) but only
// run once answered, so nothing holds the VM's lock while it waits and the
// answer (and every read of the VM) can come in.
func (q *questions) powerOn(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.PowerOnVM_Task) soap.HasFault {
	if !q.shouldAsk(vm) {
		return vm.PowerOnVMTask(ctx, req)
	}
	answer := q.ask(ctx, vm)
	var got string
	task := simulator.CreateTask(vm, "powerOn", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		switch got {
		case answerCancel:
			return nil, new(types.RequestCanceled)
		case answerCopied:
			id := uuid.New().String()
			ctx.Update(vm, []types.PropertyChange{
				{Name: "config.uuid", Val: id},
				{Name: "summary.config.uuid", Val: id},
			})
		}
		_, fault := runTask(ctx, vm.PowerOnVMTask(ctx, req))
		return nil, fault
	})
	// Its own locking context: the task object only, not the VM held here.
	isolated := &simulator.Context{Map: ctx.Map}
	ctx.Map.AtomicUpdate(isolated, task, []types.PropertyChange{{Name: "info.state", Val: types.TaskInfoStateRunning}})
	go func() {
		got = <-answer
		task.Run(ctx)
	}()
	return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: task.Self}}
}

// answer is AnswerVM (the caller holds the VM's lock). Faults: a question
// id that is not the one pending, or a choice it does not offer, is
// InvalidArgument; a VM with no question pending answers ConcurrentAccess
// (the reference: the question "has been or is being answered").
func (q *questions) answerVM(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.AnswerVM) soap.HasFault {
	body := new(methods.AnswerVMBody)
	q.mu.Lock()
	p := q.pending[vm.Self]
	q.mu.Unlock()
	switch {
	case p == nil:
		body.Fault_ = simulator.Fault("the question has been answered", new(types.ConcurrentAccess))
		return body
	case req.QuestionId != p.info.Id:
		body.Fault_ = simulator.Fault("no such question: "+req.QuestionId, &types.InvalidArgument{InvalidProperty: "questionId"})
		return body
	}
	valid := false
	for _, c := range p.info.Choice.ChoiceInfo {
		if c.GetElementDescription().Key == req.AnswerChoice {
			valid = true
		}
	}
	if !valid {
		body.Fault_ = simulator.Fault("no such choice: "+req.AnswerChoice, &types.InvalidArgument{InvalidProperty: "answerChoice"})
		return body
	}
	q.mu.Lock()
	delete(q.pending, vm.Self)
	if req.AnswerChoice != answerCancel {
		q.answered[vm.Self] = true
	}
	q.mu.Unlock()
	ctx.Update(vm, []types.PropertyChange{
		{Name: "runtime.question", Val: nil},
		{Name: "summary.runtime.question", Val: nil},
	})
	p.answer <- req.AnswerChoice
	body.Res = new(types.AnswerVMResponse)
	return body
}

// extraConfigValue is the VM's extraConfig value for key ("" if unset).
func extraConfigValue(vm *simulator.VirtualMachine, key string) string {
	if vm.Config == nil {
		return ""
	}
	for _, opt := range vm.Config.ExtraConfig {
		if opt == nil {
			continue
		}
		if v := opt.GetOptionValue(); v != nil && v.Key == key {
			return fmt.Sprint(v.Value)
		}
	}
	return ""
}
