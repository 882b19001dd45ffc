//! Which of curve25519-dalek's backends signs and verifies Ed25519 on this CPU. It chooses at
//! run time, by CPUID, among those the build compiled in (`.cargo/config.toml` compiles in
//! AVX-512 IFMA for x86-64); this asks the same questions in the same order, for logs.

/// The backend Ed25519 runs on here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ed25519Backend {
    /// AVX-512 IFMA and VL (52-bit multiply-add on 512-bit vectors).
    Avx512Ifma,
    /// AVX2.
    Avx2,
    /// 64-bit scalar code.
    Serial,
}

impl Ed25519Backend {
    /// The backend curve25519-dalek picks on this CPU.
    #[must_use]
    pub fn detect() -> Self {
        #[cfg(all(target_arch = "x86_64", curve25519_dalek_backend = "avx512"))]
        if std::is_x86_feature_detected!("avx512ifma") && std::is_x86_feature_detected!("avx512vl") {
            return Ed25519Backend::Avx512Ifma;
        }
        // On x86-64 dalek compiles AVX2 in unless told to use its serial or fiat code.
        #[cfg(all(
            target_arch = "x86_64",
            not(any(curve25519_dalek_backend = "serial", curve25519_dalek_backend = "fiat"))
        ))]
        if std::is_x86_feature_detected!("avx2") {
            return Ed25519Backend::Avx2;
        }
        Ed25519Backend::Serial
    }

    /// `avx512ifma`, `avx2` or `serial`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Ed25519Backend::Avx512Ifma => "avx512ifma",
            Ed25519Backend::Avx2 => "avx2",
            Ed25519Backend::Serial => "serial",
        }
    }
}

impl core::fmt::Display for Ed25519Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_compiles_in_avx512_on_x86_64() {
        // Not which one runs (that is the CPU's), but that the fastest is compiled in.
        #[cfg(target_arch = "x86_64")]
        const {
            assert!(cfg!(curve25519_dalek_backend = "avx512"), "built without .cargo/config.toml's cfg")
        };
        let backend = Ed25519Backend::detect();
        assert_eq!(backend.to_string(), backend.as_str());
    }
}
