//! Epoch markers: where a Redis (or each slot of a Redis Cluster) records when its data began,
//! so that a Redis that lost its data (restarted empty or from an older snapshot, AOF or backup,
//! flushed, failed over to a replica) is noticed by the next check that touches it.
//!
//! A single Redis has one marker. A cluster has one per hash slot, so that each check's script
//! touches keys of one slot only: the marker of slot `s` is `<prefix>:{t}:marker` for a tag `t`
//! that hashes to `s` (found once, by counting up, for all 16,384 slots). Markers never expire;
//! every marker is made when the store first connects, so a missing one later means lost data,
//! not a slot never used. A marker is a hash: the epoch (`e`), the `run_id` of the Redis process
//! that wrote it (`r`) and a `LASTSAVE` value that process reported (`s`): see the `script`
//! module for why. (Versions before it kept a plain number at `<prefix>:epoch`; those keys are
//! no longer read and may be deleted.)

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

/// The marker a key's check reads: the single one, or its slot's.
pub(super) fn marker_for(prefix: &str, cluster: bool, key: &str) -> String {
    if !cluster {
        return format!("{prefix}:marker");
    }
    let tag = slot_tags().get(&Slot::for_key(key)).map_or("e0", String::as_str);
    format!("{prefix}:{{{tag}}}:marker")
}

/// Every marker: the single one, or one per slot.
pub(super) fn all_markers(prefix: &str, cluster: bool) -> Vec<String> {
    if !cluster {
        return vec![format!("{prefix}:marker")];
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
            assert_eq!(Slot::for_key(marker_for("signet", true, &nonce)), Slot::for_key(&nonce));
        }
        assert_eq!(marker_for("p", false, "p:{k}:1"), "p:marker");
    }
}
