//! Epoch markers: where a Redis (or each slot of a Redis Cluster) records when its data began,
//! so that a Redis that lost its data (restarted empty or from an older snapshot, AOF or backup,
//! flushed, failed over to a replica) is noticed by the next check that touches it.
//!
//! A single Redis has one marker per process, `<prefix>:marker:<run_id>` (a plain number, the
//! epoch). A cluster has one per hash slot, so that each check's script touches keys of one slot
//! only: the marker of slot `s` is `<prefix>:{t}:marker` for a tag `t` that hashes to `s`
//! (found once, by counting up, for all 16,384 slots), a hash of the epoch (`e`), the `run_id`
//! of the process that wrote it (`r`) and a `LASTSAVE` value that process reported (`s`); see
//! the `script` module for why. Markers never expire; every marker is made when the store first
//! connects, so a missing one later means lost data or a new process, not a slot never used. A
//! single Redis keeps the marker of each process it was (about 60 bytes each); versions before
//! kept a plain number at `<prefix>:epoch`. Neither is read again, and both may be deleted.

use std::collections::HashMap;
use std::sync::OnceLock;

use redis::cluster_routing::Slot;

/// Hash slots of a Redis Cluster.
pub(super) const SLOTS: usize = 16_384;

/// For each slot, a short tag hashing to it.
fn slot_tags() -> &'static HashMap<Slot, String> {
    static TAGS: OnceLock<HashMap<Slot, String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        let mut tags = HashMap::with_capacity(SLOTS);
        let mut n = 0u32;
        while tags.len() < SLOTS {
            let tag = format!("e{n}");
            tags.entry(Slot::for_key(&tag)).or_insert(tag);
            n += 1;
        }
        tags
    })
}

/// The marker a key's check reads in a cluster: its slot's.
pub(super) fn marker_for(prefix: &str, key: &str) -> String {
    let tag = slot_tags().get(&Slot::for_key(key)).map_or("e0", String::as_str);
    format!("{prefix}:{{{tag}}}:marker")
}

/// Every marker of a cluster: one per slot (a single Redis's one is named at connection).
pub(super) fn all_markers(prefix: &str, cluster: bool) -> Vec<String> {
    if !cluster {
        return Vec::new();
    }
    slot_tags().values().map(|tag| format!("{prefix}:{{{tag}}}:marker")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_slot_has_a_marker_in_that_slot() {
        let markers = all_markers("signet", true);
        assert_eq!(markers.len(), SLOTS);
        let slots: std::collections::HashSet<_> = markers.iter().map(Slot::for_key).collect();
        assert_eq!(slots.len(), SLOTS);
        for kid in ["e792e6d8c4bd2122", "bz:0123abcd", "k"] {
            let nonce = format!("signet:{{{kid}}}:00ff");
            assert_eq!(Slot::for_key(marker_for("signet", &nonce)), Slot::for_key(&nonce));
        }
    }
}
