//! The host side of the device link (feature `device`): talks to a signing device over any byte
//! stream (a serial port, a pipe, a socket). [`DeviceClient`] is an
//! [`OrderSigner`](signet_core::turbine::order::OrderSigner), so a device signs wherever a wallet key would.

use core::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};

use signet_core::UnixTime;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::eth::{Address, EthSignature, recover_address};
use signet_core::eth::{Mnemonic, Passphrase};
use signet_core::link::{
    self, DeviceError, FRAME_DELIMITER, FrameReader, KeySecret, LinkError, MAX_FRAME_LEN, RestoreSecret,
    WalletStatus,
};
use signet_core::link::{Request, Response};
use signet_core::turbine::order::{Order, OrderDomain, SignedOrder};
use signet_core::turbine::permit::{ChainContracts, TypedMessage};
use signet_core::turbine::{KeyId, RegistrationRequest, registration_message, reregistration_message};

use crate::credentials::TurbineApiKey;

// The device as the clients' signers and as a relayer post's authority: trait impls only.
pub mod pin;
mod signers;

/// A relayer post authorized by the device's own API key (`signet device register` installed
/// it): the device mints the token once it has signed the message.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeviceToken;

/// Why a device request failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum DeviceClientError {
    /// The stream failed (or timed out).
    Io(io::Error),
    /// The stream ended before a response arrived.
    Closed,
    /// A response frame could not be decoded.
    Link(LinkError),
    /// The device refused.
    Device(DeviceError),
    /// The device answered with something that is not an answer to the request, or a signature
    /// that does not recover to its own address.
    Unexpected,
    /// No whole answer arrived within the client's deadline (a device that says nothing, or
    /// that streams bytes without ever ending a frame).
    TimedOut(core::time::Duration),
    /// The user gave no PIN positions.
    Cancelled,
}

impl fmt::Display for DeviceClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceClientError::Io(e) => write!(f, "device link: {e}"),
            DeviceClientError::Closed => f.write_str("device link closed"),
            DeviceClientError::Link(e) => write!(f, "device link: {e}"),
            DeviceClientError::Device(e) => write!(f, "device refused: {e}"),
            DeviceClientError::Unexpected => f.write_str("unexpected answer from the device"),
            DeviceClientError::TimedOut(limit) => {
                write!(f, "the device did not answer within {} s", limit.as_secs_f64())
            }
            DeviceClientError::Cancelled => f.write_str("no PIN positions given"),
        }
    }
}

impl core::error::Error for DeviceClientError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            DeviceClientError::Io(e) => Some(e),
            DeviceClientError::Link(e) => Some(e),
            DeviceClientError::Device(e) => Some(e),
            DeviceClientError::Closed
            | DeviceClientError::Unexpected
            | DeviceClientError::TimedOut(_)
            | DeviceClientError::Cancelled => None,
        }
    }
}

impl From<io::Error> for DeviceClientError {
    fn from(e: io::Error) -> Self {
        DeviceClientError::Io(e)
    }
}

/// What a device says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The installed API key's id and public key, if one is installed.
    pub api_key: Option<(KeyId, VerifyingKey)>,
    /// The wallet address.
    pub address: Address,
}

/// A signing device on the other end of `port`.
#[derive(Debug)]
pub struct DeviceClient<T: Read> {
    port: BufReader<T>,
    reader: FrameReader,
    answer_within: Option<core::time::Duration>,
}

impl<T: Read + Write> DeviceClient<T> {
    /// A client over an open stream. Reads should time out (a serial port's timeout) later than
    /// the device's confirmation timeout, or a pending confirmation looks like a dead device.
    pub fn new(port: T) -> Self {
        DeviceClient { port: BufReader::new(port), reader: FrameReader::new(), answer_within: None }
    }

    /// Gives each answer at most `limit`, from the request to the answer's last byte, however
    /// the bytes trickle in. Reads that time out (a serial port's short timeout) are retried
    /// until then; a stream whose reads block is checked between reads.
    #[must_use]
    pub fn with_deadline(mut self, limit: core::time::Duration) -> Self {
        self.answer_within = Some(limit);
        self
    }

    /// Sends `request` and waits for the answer; a device refusal is an error.
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn call(&mut self, request: &Request) -> Result<Response, DeviceClientError> {
        // Holds the encoded request, an API key's seed among them: wiped when it goes.
        let mut buf = zeroize::Zeroizing::new([0u8; MAX_FRAME_LEN + 1]);
        let (lead, rest) = buf.split_at_mut(1);
        // A leading delimiter ends whatever partial frame the device may hold.
        lead.copy_from_slice(&[FRAME_DELIMITER]);
        let len = link::encode(request, rest).map_err(DeviceClientError::Link)?.len() + 1;
        let deadline = self.answer_within.map(|limit| (std::time::Instant::now() + limit, limit));
        // Whatever an earlier, abandoned answer left half-read is not this one's.
        self.reader = FrameReader::new();
        let port = self.port.get_mut();
        port.write_all(buf.get(..len).unwrap_or_default())?;
        port.flush()?;
        match self.read_response(deadline)? {
            Response::Error(e) => Err(DeviceClientError::Device(e)),
            response => Ok(response),
        }
    }

    fn read_response(
        &mut self,
        deadline: Option<(std::time::Instant, core::time::Duration)>,
    ) -> Result<Response, DeviceClientError> {
        loop {
            if let Some((at, limit)) = deadline
                && std::time::Instant::now() >= at
            {
                return Err(DeviceClientError::TimedOut(limit));
            }
            let available = match self.port.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if deadline.is_some() && e.kind() == io::ErrorKind::TimedOut => continue,
                Err(e) => return Err(e.into()),
            };
            if available.is_empty() {
                return Err(DeviceClientError::Closed);
            }
            let mut used = 0;
            let mut answer = None;
            for &byte in available {
                used += 1;
                match self.reader.push(byte) {
                    Some(Ok(frame)) if frame.len() > 1 => {
                        answer = Some(link::decode::<Response>(frame).map_err(DeviceClientError::Link));
                        break;
                    }
                    Some(Err(e)) => {
                        answer = Some(Err(DeviceClientError::Link(e)));
                        break;
                    }
                    _ => {}
                }
            }
            self.port.consume(used);
            if let Some(answer) = answer {
                return answer;
            }
        }
    }

    /// The device's key id, public key and wallet address.
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn info(&mut self) -> Result<DeviceInfo, DeviceClientError> {
        let Response::DeviceInfo { api_key, wallet } = self.call(&Request::DeviceInfo)? else {
            return Err(DeviceClientError::Unexpected);
        };
        let api_key = match api_key {
            None => None,
            Some((kid, public_key)) => Some((
                KeyId::new(&kid).map_err(|_| DeviceClientError::Unexpected)?,
                VerifyingKey::from_bytes(&public_key).map_err(|_| DeviceClientError::Unexpected)?,
            )),
        };
        Ok(DeviceInfo { api_key, address: Address::from_bytes(wallet) })
    }

    /// A fresh token (without `Bearer `), minted by the device with its clock.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NoApiKey`] before a key is installed.
    pub fn mint_token(&mut self) -> Result<String, DeviceClientError> {
        match self.call(&Request::MintToken)? {
            Response::Token { token } => {
                String::from_utf8(token.to_vec()).map_err(|_| DeviceClientError::Unexpected)
            }
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Asks the device to sign the registration message for its own address; the user must
    /// press its button. The signature is checked to recover to that address before it is
    /// returned.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NotConfirmed`] without the press.
    pub fn sign_registration(&mut self) -> Result<RegistrationRequest, DeviceClientError> {
        let address = self.info()?.address;
        let text = address.to_checksummed();
        let Response::Registration { signature } =
            self.call(&Request::SignRegistration { address: text.clone() })?
        else {
            return Err(DeviceClientError::Unexpected);
        };
        let bytes = signature.into_array().map_err(|_| DeviceClientError::Unexpected)?;
        let signature = EthSignature::from_bytes(bytes);
        let message = registration_message(&text).map_err(|_| DeviceClientError::Unexpected)?;
        match recover_address(message.as_bytes(), &signature) {
            Ok(signer) if signer == address => Ok(RegistrationRequest { address, signature }),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Installs an API key on the device (the user must press its button).
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NotConfirmed`] without the press.
    pub fn install_api_key(&mut self, key: &TurbineApiKey) -> Result<(), DeviceClientError> {
        let kid =
            heapless::String::try_from(key.key_id.as_str()).map_err(|_| DeviceClientError::Unexpected)?;
        let secret = KeySecret(key.secret.signing_key().to_bytes());
        match self.call(&Request::InstallApiKey { kid, secret })? {
            Response::ApiKeyInstalled => Ok(()),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Asks the device to sign a permit, approval or redemption (owned by its wallet) on
    /// `chain_id`; the device shows what it does, warns on a second screen when it must, and
    /// the user presses. The signature is checked against the message before it is returned.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NotConfirmed`] without the presses,
    /// [`DeviceError::WrongAddress`] for another owner, [`DeviceError::UnknownChain`],
    /// [`DeviceError::CannotShow`] for a message too long for its screen.
    pub fn sign_message(
        &mut self,
        chain_id: u64,
        message: &TypedMessage,
    ) -> Result<EthSignature, DeviceClientError> {
        let request = match message {
            TypedMessage::Permit(permit) => Request::SignUsdcPermit { chain_id, permit: *permit },
            TypedMessage::Approval(approval) => Request::SignCtfApproval { chain_id, approval: *approval },
            TypedMessage::Redemption(r) => Request::SignRedemption { chain_id, redemption: r.clone() },
        };
        let Response::MessageSignature { signature } = self.call(&request)? else {
            return Err(DeviceClientError::Unexpected);
        };
        let signature =
            EthSignature::from_bytes(signature.into_array().map_err(|_| DeviceClientError::Unexpected)?);
        // A device that answered over another message is caught here.
        let chain = ChainContracts::of(chain_id).ok_or(DeviceClientError::Unexpected)?;
        message.verify(&chain.separators(), &signature).map_err(|_| DeviceClientError::Unexpected)?;
        Ok(signature)
    }

    /// Asks the device to sign `order` (its trader must be the device's wallet); the device
    /// shows the order's summary and the user must press its button. The signature is checked
    /// against the order and the trader before it is returned.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NotConfirmed`] without the press,
    /// [`DeviceError::WrongAddress`] for another trader, [`DeviceError::NoDisplay`] from a
    /// device that cannot show it.
    pub fn sign_order(
        &mut self,
        order: Order,
        domain: OrderDomain,
    ) -> Result<SignedOrder, DeviceClientError> {
        let Response::OrderSignature { signature } = self.call(&Request::SignOrder { order, domain })? else {
            return Err(DeviceClientError::Unexpected);
        };
        let bytes = signature.into_array().map_err(|_| DeviceClientError::Unexpected)?;
        let signed = SignedOrder { order, signature: EthSignature::from_bytes(bytes) };
        signed.verify(&domain).map_err(|_| DeviceClientError::Unexpected)?;
        Ok(signed)
    }

    /// The wallet's state: address, path, origin, backup, API key. A device whose firmware
    /// predates wallets answers only `DeviceInfo`: its wallet is reported as provisioned.
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn wallet_info(&mut self) -> Result<WalletStatus, DeviceClientError> {
        match self.call(&Request::WalletInfo) {
            Ok(Response::WalletInfo(status)) => Ok(status),
            Ok(_) => Err(DeviceClientError::Unexpected),
            Err(DeviceClientError::Device(DeviceError::BadRequest)) => {
                let info = self.info()?;
                Ok(WalletStatus {
                    wallet: Some(signet_core::link::WalletSummary {
                        address: *info.address.as_bytes(),
                        path: heapless::String::new(),
                        origin: signet_core::link::WalletOrigin::Provisioned,
                        backup_confirmed: true,
                    }),
                    api_key: match info.api_key {
                        Some((kid, key)) => Some((
                            heapless::String::try_from(kid.as_str())
                                .map_err(|_| DeviceClientError::Unexpected)?,
                            key.to_bytes(),
                        )),
                        None => None,
                    },
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Has the device make a wallet of `words` words (12 to 24): it shows them a few at a time
    /// and asks two back; the user presses through. Returns the wallet's address.
    ///
    /// # Errors
    /// [`DeviceError::WalletExists`], [`DeviceError::NotConfirmed`] (the check failed or timed
    /// out: run it again to see the same words), or [`DeviceClientError`].
    pub fn init_wallet(&mut self, words: u8) -> Result<Address, DeviceClientError> {
        match self.call(&Request::InitWallet { words })? {
            Response::WalletReady { wallet } => Ok(Address::from_bytes(wallet)),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Restores a wallet on the device from `mnemonic` and `passphrase` (the user presses to
    /// accept). Less safe than entering the words on the device: this host sees them.
    ///
    /// # Errors
    /// [`DeviceError::WalletExists`] (wipe first), [`DeviceError::BadMnemonic`],
    /// [`DeviceError::NotConfirmed`], or [`DeviceClientError`].
    pub fn restore_wallet(
        &mut self,
        mnemonic: &Mnemonic,
        passphrase: &Passphrase<'_>,
    ) -> Result<Address, DeviceClientError> {
        let mut words = heapless::Vec::new();
        for i in 0..mnemonic.word_count() {
            words
                .push(mnemonic.index(i).ok_or(DeviceClientError::Unexpected)?)
                .map_err(|_| DeviceClientError::Unexpected)?;
        }
        let passphrase = heapless::Vec::from_slice(passphrase.as_str().as_bytes())
            .map_err(|_| DeviceClientError::Unexpected)?;
        match self.call(&Request::RestoreWallet(RestoreSecret { words, passphrase }))? {
            Response::WalletReady { wallet } => Ok(Address::from_bytes(wallet)),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Erases the device's wallet, API key and state (the user presses twice).
    ///
    /// # Errors
    /// [`DeviceError::NotConfirmed`] or [`DeviceClientError`].
    pub fn wipe(&mut self) -> Result<(), DeviceClientError> {
        match self.call(&Request::Wipe)? {
            Response::Wiped => Ok(()),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Asks the device to sign the timestamped registration message (what a server wants once
    /// the wallet has had a key) for `timestamp`; it shows the time and waits for a press. The
    /// signature is checked to recover to the device's address.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`DeviceError::NotConfirmed`] without the press.
    pub fn sign_reregistration(
        &mut self,
        timestamp: UnixTime,
    ) -> Result<RegistrationRequest, DeviceClientError> {
        let address = self.info()?.address;
        let text = address.to_checksummed();
        let request = Request::SignReregistration { address: text.clone(), timestamp: timestamp.0 };
        let Response::Registration { signature } = self.call(&request)? else {
            return Err(DeviceClientError::Unexpected);
        };
        let bytes = signature.into_array().map_err(|_| DeviceClientError::Unexpected)?;
        let signature = EthSignature::from_bytes(bytes);
        let message = reregistration_message(&text, timestamp).map_err(|_| DeviceClientError::Unexpected)?;
        match recover_address(message.as_bytes(), &signature) {
            Ok(signer) if signer == address => Ok(RegistrationRequest { address, signature }),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Sets the device's clock.
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn set_time(&mut self, time: UnixTime) -> Result<(), DeviceClientError> {
        match self.call(&Request::SetTime { unix_secs: time.0 })? {
            Response::TimeSet => Ok(()),
            _ => Err(DeviceClientError::Unexpected),
        }
    }
}

/// How long a device may take to answer by default: longer than its 30 s wait for a press, so a
/// refusal arrives as a refusal rather than as a timeout.
pub const DEFAULT_DEVICE_TIMEOUT: core::time::Duration = core::time::Duration::from_secs(40);

/// A device on a serial port, as [`open_serial`] opens it.
pub type SerialDevice = DeviceClient<Box<dyn serialport::SerialPort>>;

/// How often a serial read gives up and the deadline is looked at.
const SERIAL_POLL: core::time::Duration = core::time::Duration::from_millis(100);

/// Opens the device on serial port `path` (`/dev/ttyACM0`, `COM3`) at `baud`; each answer must
/// arrive whole within `timeout` ([`DeviceClient::with_deadline`]).
///
/// # Errors
/// [`DeviceClientError::Io`] if the port cannot be opened.
pub fn open_serial(
    path: &str,
    baud: u32,
    timeout: core::time::Duration,
) -> Result<SerialDevice, DeviceClientError> {
    let poll = SERIAL_POLL.min(timeout).max(core::time::Duration::from_millis(1));
    let port = serialport::new(path, baud).timeout(poll).open().map_err(io::Error::from)?;
    Ok(DeviceClient::new(port).with_deadline(timeout))
}
