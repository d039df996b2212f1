//! Forwarding SIGINT, SIGTERM, SIGHUP and SIGQUIT to the child while `run`
//! waits: they no longer end ascvault before it has removed the key
//! directory, and the child decides what they mean. Its exit status (128 + N
//! when the signal killed it) is then ours.

use std::sync::{Arc, Mutex};
use std::thread;

use rustix::process::{Pid, Signal};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

/// Signals caught since [`Forwarder::start`]; they go to the child once it
/// exists.
#[derive(Default)]
struct Target {
    child: Option<Pid>,
    pending: Vec<Signal>,
}

/// The thread forwarding signals; [`Forwarder::stop`] restores nothing but
/// ends the thread (ascvault exits right after).
pub struct Forwarder {
    handle: Handle,
    target: Arc<Mutex<Target>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Forwarder {
    /// Catches the signals from now on.
    pub fn start() -> std::io::Result<Forwarder> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])?;
        let handle = signals.handle();
        let target = Arc::new(Mutex::new(Target::default()));
        let shared = Arc::clone(&target);
        let thread = thread::spawn(move || {
            for raw in signals.forever() {
                let Some(signal) = signal_of(raw) else {
                    continue;
                };
                if signal == Signal::INT && from_terminal() {
                    // Ctrl-C went to the whole foreground group, the child
                    // included: a second SIGINT would read as a second Ctrl-C.
                    continue;
                }
                let mut target = shared.lock().unwrap_or_else(|e| e.into_inner());
                match target.child {
                    Some(pid) => {
                        let _ = rustix::process::kill_process(pid, signal);
                    }
                    None => target.pending.push(signal),
                }
            }
        });
        Ok(Forwarder {
            handle,
            target,
            thread: Some(thread),
        })
    }

    /// From now on signals go to `child`, starting with any caught before.
    pub fn forward_to(&self, child: &std::process::Child) {
        let pid = Pid::from_child(child);
        let mut target = self.target.lock().unwrap_or_else(|e| e.into_inner());
        target.child = Some(pid);
        for signal in target.pending.drain(..) {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }

    /// Stops forwarding (the child has been reaped).
    pub fn stop(mut self) {
        self.target.lock().unwrap_or_else(|e| e.into_inner()).child = None;
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn signal_of(raw: i32) -> Option<Signal> {
    match raw {
        SIGINT => Some(Signal::INT),
        SIGTERM => Some(Signal::TERM),
        SIGHUP => Some(Signal::HUP),
        SIGQUIT => Some(Signal::QUIT),
        _ => None,
    }
}

/// Whether ascvault is in its terminal's foreground process group, where a
/// Ctrl-C reaches the child directly.
fn from_terminal() -> bool {
    rustix::termios::tcgetpgrp(std::io::stdin())
        .is_ok_and(|group| group == rustix::process::getpgrp())
}
