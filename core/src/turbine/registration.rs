//! Turbine API-key registration: a wallet proves ownership by signing a fixed message.

use crate::eth::{Address, EthError, EthSignature, WalletKey, recover_address};

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
    fn message_uses_the_address_text_as_given() {
        let m = registration_message("0xbd7fa504509cf1a2f36955b7c941b192fe93f86c").unwrap();
        assert_eq!(m, "Register API key for Turbine: 0xbd7fa504509cf1a2f36955b7c941b192fe93f86c");
    }
}
