//! HD wallets for std callers: mnemonics read as people type them, and passphrases normalised
//! (NFKD) as BIP-39 requires, which the core checks but cannot do itself without allocating.

use signet_core::eth::{DerivationPath, HdError, Mnemonic, Passphrase, WalletKey};
use unicode_normalization::UnicodeNormalization as _;
use zeroize::Zeroizing;

/// A passphrase in Unicode NFKD, owned and wiped on drop. `Debug` shows nothing of it.
pub struct NormalizedPassphrase(Zeroizing<String>);

impl NormalizedPassphrase {
    /// `text` normalised to NFKD (BIP-39 salts the seed with the normalised passphrase, so
    /// `"Ü"` typed precomposed or decomposed is the same wallet).
    #[must_use]
    pub fn new(text: &str) -> Self {
        NormalizedPassphrase(Zeroizing::new(text.nfkd().collect()))
    }

    /// The passphrase as the core takes it.
    ///
    /// # Errors
    /// [`HdError::PassphraseTooLong`] past the core's limit.
    pub fn as_passphrase(&self) -> Result<Passphrase<'_>, HdError> {
        Passphrase::new(&self.0)
    }
}

impl core::fmt::Debug for NormalizedPassphrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NormalizedPassphrase(<redacted>)")
    }
}

/// A mnemonic as a person writes it into a file or a terminal: words in any case, separated by
/// any whitespace, a newline at the end. It is lower-cased and its whitespace collapsed, then
/// checked as BIP-39 writes it (the English list, a valid checksum).
///
/// # Errors
/// The core's [`HdError`].
pub fn parse_mnemonic(text: &str) -> Result<Mnemonic, HdError> {
    // Sized once, so no copy of the words is left behind by a reallocation.
    let mut phrase = Zeroizing::new(String::with_capacity(text.len()));
    for word in text.split_whitespace() {
        if !phrase.is_empty() {
            phrase.push(' ');
        }
        phrase.push_str(word);
    }
    phrase.make_ascii_lowercase();
    Mnemonic::parse(&phrase)
}

/// The wallet key at `m/44'/60'/0'/0/index` of `mnemonic` and `passphrase` (any Unicode
/// form): the address MetaMask, eth-account and hardware wallets give for the same words.
///
/// # Errors
/// The core's [`HdError`].
pub fn wallet_key(
    mnemonic: &Mnemonic,
    passphrase: &str,
    index: u32,
) -> Result<(WalletKey, DerivationPath), HdError> {
    let passphrase = NormalizedPassphrase::new(passphrase);
    let path = DerivationPath::ethereum(index)?;
    let key = WalletKey::from_seed(&mnemonic.to_seed(&passphrase.as_passphrase()?), &path)?;
    Ok((key, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_and_any_unicode_form_give_the_same_wallet() {
        let text = "  abandon abandon abandon abandon abandon abandon\nabandon abandon abandon abandon abandon about\n";
        let mnemonic = parse_mnemonic(text).unwrap();
        let (nfc, path) = wallet_key(&mnemonic, "\u{dc}", 0).unwrap();
        let (nfd, _) = wallet_key(&mnemonic, "U\u{308}", 0).unwrap();
        assert_eq!(nfc.address(), nfd.address());
        assert_eq!(path.to_string(), "m/44'/60'/0'/0/0");
        let (trezor, _) = wallet_key(&mnemonic, "TREZOR", 0).unwrap();
        assert_eq!(trezor.address().to_checksummed(), "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6");
        assert_eq!(parse_mnemonic("Abandon about").unwrap_err(), HdError::WordCount);
        // Written in capitals, as on a backup card: the same wallet (the third review).
        let shouted = parse_mnemonic(&text.to_uppercase()).unwrap();
        assert_eq!(
            wallet_key(&shouted, "", 0).unwrap().0.address(),
            wallet_key(&mnemonic, "", 0).unwrap().0.address()
        );
        assert_eq!(format!("{:?}", NormalizedPassphrase::new("secret")), "NormalizedPassphrase(<redacted>)");
    }
}
