//! A VM question raised at power-on (vcsim-plus's `vcsim.question` knob:
//! vSphere's "moved or copied" question, `msg.uuid.altered`): with
//! `auto_answer` the provider answers it with its default choice (I Copied
//! It, which gives the VM a new BIOS UUID); without, the apply fails naming
//! the question and its choices.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check::vm_info;
use crate::vm::{id_of, place};

fn config(sim: &Vcsim, provider_extra: &str, power: &str) -> String {
    let p = place(sim);
    provider_block(&sim.sdk_url(), provider_extra)
        + &format!(
            r#"
resource "vi_vm" "moved" {{
  name             = "moved-or-copied"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  power_state      = "{power}"
  extra_config = {{
    "vcsim.question" = "uuid.altered"
  }}
}}
output "id" {{
  value = vi_vm.moved.id
}}
output "uuid" {{
  value = vi_vm.moved.uuid
}}
"#,
            pool = p.pool,
            ds = p.datastore,
        )
}

/// Terraform wraps messages at 78 columns: compare with spaces collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn auto_answer_answers_the_question_a_power_on_raises() {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&config(&sim, "  auto_answer = true\n", "off"));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    let before = vm_info(&sim, &id).and_then(|i| i.uuid).expect("the VM's BIOS UUID");

    // The power-on asks; the provider answers with the default choice.
    tf.write_main(&config(&sim, "  auto_answer = true\n", "on"));
    tf.apply();
    tf.assert_no_changes();
    let info = vm_info(&sim, &id).expect("the VM");
    assert_eq!(info.power_state, "poweredOn");
    assert!(info.question.is_none(), "the question was answered: {:?}", info.question);
    // I Copied It: a new BIOS UUID, which the state now records.
    let after = info.uuid.expect("the VM's BIOS UUID");
    assert_ne!(after, before, "the default answer (I Copied It) gives a new UUID");
    assert_eq!(id_of(&tf, "uuid"), after);

    // Answered once, it does not ask again.
    tf.write_main(&config(&sim, "  auto_answer = true\n", "off"));
    tf.apply();
    tf.write_main(&config(&sim, "  auto_answer = true\n", "on"));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(vm_info(&sim, &id).and_then(|i| i.uuid), Some(after));
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
}

#[test]
fn without_auto_answer_the_apply_names_the_question_and_its_choices() {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&config(&sim, "", "off"));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");

    tf.write_main(&config(&sim, "", "on"));
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("powering the VM on"), "{err}");
    assert!(err.contains("might have been moved or copied"), "the question's text: {err}");
    assert!(err.contains("Cancel, I Moved It, I Copied It"), "its choices: {err}");
    assert!(err.contains("auto_answer = true"), "what to do: {err}");
    // The VM waits, off, with its question; the state still has it.
    let info = vm_info(&sim, &id).expect("the VM");
    assert_eq!(info.power_state, "poweredOff");
    assert!(info.question.is_some(), "the question is still there");
    assert!(tf.ok(&["state", "list"]).contains("vi_vm.moved"));
    tf.write_main(&config(&sim, "", "off"));
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
}
