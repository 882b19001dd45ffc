//! `signet device unlock | change-pin | wipe-code | lock | auto-lock`: the device's PIN, typed as
//! positions on the grid the device shows, so this computer never learns it.

use std::io::{BufRead, IsTerminal, Read, Write};

use serde_json::json;
use signet_core::link::{PinPositions, PinPurpose, PinStatus};
use signet_std::device::DeviceClient;
use signet_std::device::pin::parse_positions;

use crate::output::{Context, Result};

/// The keypad the positions follow, as the terminal shows it.
const KEYPAD: &str = "  7 8 9\n  4 5 6\n  1 2 3";

/// What the user is asked to type for `purpose`.
fn ask(purpose: PinPurpose) -> &'static str {
    match purpose {
        PinPurpose::Current => "your PIN",
        PinPurpose::NewPin => "the new PIN (nothing, twice, for no PIN)",
        PinPurpose::WipeCode => "the wipe code (nothing, twice, to remove it)",
    }
}

/// Asks the positions for the grid now on the device: without echo on a terminal; from a line
/// of standard input otherwise (positions change at every grid, so nothing typed once can be
/// replayed, and there is no environment variable for them).
pub fn read_positions(purpose: PinPurpose) -> Option<PinPositions> {
    eprintln!(
        "the device shows a grid of digits: find each digit of {} there and type its position here, as on this keypad:\n{KEYPAD}",
        ask(purpose)
    );
    let text = if std::io::stdin().is_terminal() {
        zeroize::Zeroizing::new(rpassword::prompt_password("positions: ").ok()?)
    } else {
        let _ = std::io::stderr().write_all(b"positions: ");
        let mut line = String::new();
        // The end of input cancels (it is not "no PIN").
        if std::io::stdin().lock().read_line(&mut line).ok()? == 0 {
            return None;
        }
        zeroize::Zeroizing::new(line)
    };
    let positions = parse_positions(&text);
    if positions.is_none() {
        eprintln!("positions are digits 1 to 9");
    }
    positions
}

/// The status as text.
pub fn describe(status: &PinStatus) -> String {
    if !status.pin_set {
        return if status.no_pin_chosen {
            "PIN: none (chosen on the device): anyone holding it can use it".to_owned()
        } else {
            "PIN: none yet: set one with `signet device change-pin`".to_owned()
        };
    }
    format!(
        "PIN: set, {}; {} wrong PINs, {} tries left before it wipes itself{}; wipe code {}; locks after {}",
        if status.locked { "locked" } else { "unlocked" },
        status.failures,
        status.tries_left,
        if status.next_delay_secs > 0 {
            format!(", the next check waits {} s", status.next_delay_secs)
        } else {
            String::new()
        },
        if status.wipe_code_set { "set" } else { "not set" },
        if status.auto_lock_secs == 0 {
            "never (idle)".to_owned()
        } else {
            format!("{} s idle", status.auto_lock_secs)
        },
    )
}

/// The status as JSON.
pub fn status_json(status: &PinStatus) -> serde_json::Value {
    json!({
        "pin_set": status.pin_set,
        "locked": status.locked,
        "failures": status.failures,
        "tries_left": status.tries_left,
        "next_delay_secs": status.next_delay_secs,
        "wipe_code_set": status.wipe_code_set,
        "auto_lock_secs": status.auto_lock_secs,
        "no_pin_chosen": status.no_pin_chosen,
    })
}

/// What a PIN command does.
pub enum PinAction {
    /// Unlock.
    Unlock,
    /// Set, change or remove the PIN.
    ChangePin,
    /// Set or remove the wipe code.
    WipeCode,
    /// Lock now.
    Lock,
    /// Set the idle time.
    AutoLock(u32),
}

/// Runs one PIN command and prints the status it leaves.
pub fn run<T: Read + Write>(
    device: &mut DeviceClient<T>,
    action: PinAction,
    ctx: &Context<'_>,
) -> Result<()> {
    let status = match action {
        PinAction::Unlock => device.unlock(read_positions)?,
        PinAction::ChangePin => {
            eprintln!(
                "the device asks for your current PIN first, if it has one, then the new one twice, and a press"
            );
            device.change_pin(read_positions)?
        }
        PinAction::WipeCode => device.set_wipe_code(read_positions)?,
        PinAction::Lock => device.lock()?,
        PinAction::AutoLock(secs) => device.set_auto_lock(secs)?,
    };
    ctx.output(&status_json(&status), &describe(&status));
    Ok(())
}
