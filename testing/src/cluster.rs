//! A throwaway Redis Cluster of six `redis-server` processes on loopback (three masters, three
//! replicas), made with `redis-cli --cluster create`, with a short node timeout so a failover
//! takes seconds.

use core::time::Duration;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::process::{free_port, server_binary, wait_for};

/// One node: its port, process and folder.
struct Node {
    port: u16,
    child: Option<Child>,
    dir: PathBuf,
}

/// A Redis Cluster: six nodes, `cluster-node-timeout` 1 s, no persistence unless asked.
pub struct RedisCluster {
    nodes: Vec<Node>,
    extra: Vec<String>,
    _root: tempfile::TempDir,
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let binary = server_binary("redis-cli", &["/usr/bin", "/usr/local/bin"], "redis-server");
    let out =
        Command::new(binary).args(["-p", &port.to_string()]).args(args).output().expect("run redis-cli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl RedisCluster {
    /// Starts six nodes and joins them: each master with one replica.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The same, each node with these settings after the defaults (e.g. `--save "3600 1"` for
    /// snapshots, `--cluster-replica-no-failover yes` to restart a master in place).
    pub fn start_with(extra: &[&str]) -> Self {
        let root = tempfile::tempdir().unwrap();
        let nodes = (0..6)
            .map(|i| {
                let dir = root.path().join(format!("n{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                Node { port: free_port(), child: None, dir }
            })
            .collect();
        let extra = extra.iter().map(|&a| a.to_owned()).collect();
        let mut cluster = RedisCluster { nodes, extra, _root: root };
        for i in 0..6 {
            cluster.start_node(i);
        }
        let addresses: Vec<String> = cluster.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        let binary = server_binary("redis-cli", &["/usr/bin", "/usr/local/bin"], "redis-server");
        let out = Command::new(binary)
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli --cluster create");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        cluster.wait_healthy(Duration::from_secs(30));
        cluster
    }

    fn start_node(&mut self, i: usize) {
        let extra = self.extra.clone();
        let node = &mut self.nodes[i];
        let binary = server_binary("redis-server", &["/usr/bin", "/usr/local/bin"], "redis-server");
        let child = Command::new(binary)
            .args([
                "--port",
                &node.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"])
            .args(["--cluster-node-timeout", "1000"])
            // Replicas sync at once (Redis waits 5 s by default for more replicas to join one
            // transfer; a replica never synced refuses to take over).
            .args(["--repl-diskless-sync-delay", "0"])
            .args(&extra)
            .arg("--dir")
            .arg(&node.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        node.child = Some(child);
        let port = node.port;
        wait_for("redis-server", Duration::from_secs(10), || redis_cli(port, &["PING"]).trim() == "PONG");
    }

    /// `redis-cluster://` and every node's address.
    pub fn url(&self) -> String {
        let nodes: Vec<String> = self.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        format!("redis-cluster://{}", nodes.join(","))
    }

    fn live_port(&self) -> u16 {
        self.nodes.iter().find(|n| n.child.is_some()).map(|n| n.port).expect("a live node")
    }

    /// Waits until every live node says the cluster is ok and every slot has a live master.
    pub fn wait_healthy(&self, limit: Duration) {
        wait_for("Redis Cluster", limit, || {
            self.nodes
                .iter()
                .filter(|n| n.child.is_some())
                .all(|n| redis_cli(n.port, &["CLUSTER", "INFO"]).contains("cluster_state:ok"))
        });
    }

    /// The port of the master serving `key`'s slot now.
    pub fn master_of(&self, key: &str) -> u16 {
        self.serving(key).unwrap_or_else(|| panic!("no master serves the slot of {key}"))
    }

    /// The port of the master serving `key`'s slot now, if one does (none while every other
    /// node still flags it as failing).
    pub fn serving(&self, key: &str) -> Option<u16> {
        let port = self.live_port();
        let slot: u16 = redis_cli(port, &["CLUSTER", "KEYSLOT", key]).trim().parse().unwrap();
        // Each line: id address flags master ping pong epoch link-state slots…
        for line in redis_cli(port, &["CLUSTER", "NODES"]).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let flags: Vec<&str> = fields.get(2).map(|f| f.split(',').collect()).unwrap_or_default();
            // `nofailover` is a setting, not a state: only `fail` and `fail?` mean failing.
            if fields.len() < 9 || !flags.contains(&"master") || flags.iter().any(|f| f.starts_with("fail")) {
                continue;
            }
            let serves = fields[8..].iter().any(|range| match range.split_once('-') {
                Some((a, b)) => {
                    a.parse::<u16>().is_ok_and(|a| a <= slot) && b.parse::<u16>().is_ok_and(|b| slot <= b)
                }
                None => range.parse::<u16>().is_ok_and(|s| s == slot),
            });
            if serves {
                let address = fields[1].split('@').next().unwrap();
                return address.rsplit(':').next().unwrap().parse().ok();
            }
        }
        None
    }

    /// Runs `redis-cli -p PORT ARGS…` (e.g. `SAVE` on one node); its output.
    pub fn command(&self, port: u16, args: &[&str]) -> String {
        redis_cli(port, args)
    }

    /// Kills the node on `port` with SIGKILL.
    pub fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|n| n.port == port).expect("a node on that port");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the node on `port` again (it rejoins, as a replica of whoever took its place, or
    /// as the master it was if nobody took over).
    pub fn restart(&mut self, port: u16) {
        let i = self.nodes.iter().position(|n| n.port == port).expect("a node on that port");
        self.start_node(i);
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
