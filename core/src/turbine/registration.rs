//! Turbine API-key registration: a wallet proves ownership by signing a fixed message.

use crate::eth::{Address, EthError, EthSignature, WalletKey, recover_address};
use crate::time::UnixTime;

/// What the wallet signs, followed by the address exactly as sent in the request.
pub const REGISTRATION_MESSAGE_PREFIX: &str = "Register API key for Turbine: ";

/// Length of a registration message: the prefix and a 42-character address.
pub const REGISTRATION_MESSAGE_LEN: usize = REGISTRATION_MESSAGE_PREFIX.len() + 42;

/// The message a wallet signs to register an API key for `address_text`.
///
/// The address is used exactly as given (its case matters: the signature covers the text),
/// after checking that it is a valid address.
///
/// # Errors
/// [`EthError::InvalidAddress`] if `address_text` is not an address.
pub fn registration_message(
    address_text: &str,
) -> Result<heapless::String<REGISTRATION_MESSAGE_LEN>, EthError> {
    Address::parse(address_text.as_bytes())?;
    let mut message = heapless::String::new();
    message.push_str(REGISTRATION_MESSAGE_PREFIX).map_err(|_| EthError::InvalidAddress)?;
    message.push_str(address_text).map_err(|_| EthError::InvalidAddress)?;
    Ok(message)
}

/// Checks a registration request: `signature_text` must be a `personal_sign` of the
/// registration message for `address_text` by that address. Returns the address.
///
/// Accepts what eth-account and `ecrecover` accept: `v` of 0, 1, 27 or 28 and high-`s`
/// signatures.
///
/// # Errors
/// [`EthError::InvalidAddress`], [`EthError::InvalidSignatureEncoding`], or
/// [`EthError::SignatureMismatch`] when another wallet (or another message) signed.
pub fn verify_registration(address_text: &str, signature_text: &str) -> Result<Address, EthError> {
    let address = Address::parse(address_text.as_bytes())?;
    let signature = EthSignature::parse_hex(signature_text.as_bytes())?;
    let message = registration_message(address_text)?;
    let signer = recover_address(message.as_bytes(), &signature)?;
    if signer.as_bytes() == address.as_bytes() { Ok(address) } else { Err(EthError::SignatureMismatch) }
}

/// What follows the address in a timestamped (re-)registration message, before the time.
pub const REREGISTRATION_TIMESTAMP_LABEL: &str = "\nTimestamp: ";

/// Length of the longest timestamped registration message (a 20-digit time).
pub const REREGISTRATION_MESSAGE_LEN: usize =
    REGISTRATION_MESSAGE_LEN + REREGISTRATION_TIMESTAMP_LABEL.len() + 20;

/// The timestamped registration message: the documented one, a line break, and
/// `Timestamp: <unix seconds>`.
///
/// The documented message holds no time or nonce, so a captured registration stays valid
/// forever; a server that has issued a key for a wallet before takes this form instead, with
/// a recent time it has not seen from that wallet, so a captured body cannot be replayed into
/// a new key.
///
/// # Errors
/// [`EthError::InvalidAddress`] if `address_text` is not an address.
pub fn reregistration_message(
    address_text: &str,
    timestamp: UnixTime,
) -> Result<heapless::String<REREGISTRATION_MESSAGE_LEN>, EthError> {
    let base = registration_message(address_text)?;
    let mut digits = [0u8; crate::text::DECIMAL_LEN];
    let digits = crate::text::format_i64(timestamp.0, &mut digits);
    let mut message = heapless::String::new();
    message.push_str(&base).map_err(|_| EthError::InvalidAddress)?;
    message.push_str(REREGISTRATION_TIMESTAMP_LABEL).map_err(|_| EthError::InvalidAddress)?;
    // Decimal digits are ASCII.
    message
        .push_str(core::str::from_utf8(digits).unwrap_or_default())
        .map_err(|_| EthError::InvalidAddress)?;
    Ok(message)
}

/// [`verify_registration`] for the timestamped message: the signature is the wallet's over
/// [`reregistration_message`]`(address_text, timestamp)`. Whether the time is recent and new
/// is the server's to check.
///
/// # Errors
/// As [`verify_registration`].
pub fn verify_reregistration(
    address_text: &str,
    timestamp: UnixTime,
    signature_text: &str,
) -> Result<Address, EthError> {
    let address = Address::parse(address_text.as_bytes())?;
    let signature = EthSignature::parse_hex(signature_text.as_bytes())?;
    let message = reregistration_message(address_text, timestamp)?;
    let signer = recover_address(message.as_bytes(), &signature)?;
    if signer.as_bytes() == address.as_bytes() { Ok(address) } else { Err(EthError::SignatureMismatch) }
}

/// A signed registration request: the body of `POST /api/v1/api-keys` without its `name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// The wallet's address; its EIP-55 text is what was signed.
    pub address: Address,
    /// The wallet's `personal_sign` of the registration message.
    pub signature: EthSignature,
}

impl WalletKey {
    /// Signs the registration message for this wallet's EIP-55 address.
    #[must_use]
    pub fn sign_registration(&self) -> RegistrationRequest {
        let address = self.address();
        let text = address.to_checksummed();
        let mut message = heapless::String::<REGISTRATION_MESSAGE_LEN>::new();
        // The prefix and a 42-character address fill the buffer exactly.
        let _ = message.push_str(REGISTRATION_MESSAGE_PREFIX);
        let _ = message.push_str(&text);
        RegistrationRequest { address, signature: self.personal_sign(message.as_bytes()) }
    }

    /// Signs the timestamped registration message for this wallet at `timestamp`.
    #[must_use]
    pub fn sign_reregistration(&self, timestamp: UnixTime) -> RegistrationRequest {
        let address = self.address();
        let text = address.to_checksummed();
        // A checksummed address always makes a message.
        let message = reregistration_message(&text, timestamp).unwrap_or_default();
        RegistrationRequest { address, signature: self.personal_sign(message.as_bytes()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wallets_registration_verifies_and_another_address_does_not() {
        let wallet = WalletKey::from_bytes(&[0x22; 32]).unwrap();
        let request = wallet.sign_registration();
        let address = request.address.to_checksummed();
        let signature = request.signature.to_hex();
        assert_eq!(verify_registration(&address, &signature), Ok(wallet.address()));
        // The lower-case text is the same address but another message.
        assert_eq!(
            verify_registration(&address.to_lowercase(), &signature),
            Err(EthError::SignatureMismatch)
        );
        let other = WalletKey::from_bytes(&[0x33; 32]).unwrap().address().to_checksummed();
        assert_eq!(verify_registration(&other, &signature), Err(EthError::SignatureMismatch));
        assert_eq!(verify_registration("0x1234", &signature), Err(EthError::InvalidAddress));
        assert_eq!(verify_registration(&address, "0x1234"), Err(EthError::InvalidSignatureEncoding));
    }

    #[test]
    fn timestamped_registration_is_another_message() {
        let wallet = WalletKey::from_bytes(&[0x22; 32]).unwrap();
        let address = wallet.address().to_checksummed();
        let signed = wallet.sign_reregistration(UnixTime(1_800_000_000));
        let signature = signed.signature.to_hex();
        assert_eq!(
            verify_reregistration(&address, UnixTime(1_800_000_000), &signature),
            Ok(wallet.address())
        );
        assert_eq!(
            verify_reregistration(&address, UnixTime(1_800_000_001), &signature),
            Err(EthError::SignatureMismatch)
        );
        // Neither form passes as the other.
        assert_eq!(verify_registration(&address, &signature), Err(EthError::SignatureMismatch));
        let plain = wallet.sign_registration().signature.to_hex();
        assert_eq!(
            verify_reregistration(&address, UnixTime(1_800_000_000), &plain),
            Err(EthError::SignatureMismatch)
        );
        assert_eq!(
            reregistration_message(&address, UnixTime(1_800_000_000)).unwrap(),
            std::format!("Register API key for Turbine: {address}\nTimestamp: 1800000000").as_str()
        );
        assert_eq!(
            reregistration_message(&address, UnixTime(i64::MIN)).unwrap().len(),
            REREGISTRATION_MESSAGE_LEN
        );
    }

    #[test]
    fn message_uses_the_address_text_as_given() {
        let m = registration_message("0xbd7fa504509cf1a2f36955b7c941b192fe93f86c").unwrap();
        assert_eq!(m, "Register API key for Turbine: 0xbd7fa504509cf1a2f36955b7c941b192fe93f86c");
    }
}
