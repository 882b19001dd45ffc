//! The wallet's life on the device: made from the device's own randomness and backed up as
//! words the user writes down and is asked back, restored from words, wiped; and what the host
//! may learn of it.

use rand_core::CryptoRng;
use signet_core::eth::{Mnemonic, Passphrase, WalletKey, WordCount, english_word};
use signet_core::link::{DeviceError, Response, RestoreSecret, WalletOrigin, WalletStatus, WalletSummary};

use crate::device::machine::Device;
use crate::prompts::{self, PromptLine, WORDS_PER_SCREEN};
use crate::state::{State, Wallet};
use crate::storage::Storage;
use crate::{TextDisplay, TimeSource, UserPresence};

/// Words the backup check asks back.
pub const BACKUP_CHECK_WORDS: usize = 2;

/// Words offered for each one asked back (the right one among them, in a random place).
pub const BACKUP_CHECK_CANDIDATES: usize = 4;

/// How long each candidate is offered before the next (not pressing means "not this one").
pub const BACKUP_CHECK_WAIT_MS: u32 = 5_000;

/// The account every wallet uses: index 0 below `m/44'/60'/0'/0`.
const ACCOUNT: u32 = 0;

fn word_count(words: u8) -> Option<WordCount> {
    Some(match words {
        12 => WordCount::Twelve,
        15 => WordCount::Fifteen,
        18 => WordCount::Eighteen,
        21 => WordCount::TwentyOne,
        24 => WordCount::TwentyFour,
        _ => return None,
    })
}

/// The account key of `mnemonic` and `passphrase` (PBKDF2, then BIP-32 down five levels).
/// Out of line: the derivation's deep stack is not under its callers' state records.
#[inline(never)]
fn account_key(mnemonic: &Mnemonic, passphrase: &Passphrase<'_>) -> Result<WalletKey, DeviceError> {
    WalletKey::from_mnemonic(mnemonic, passphrase, ACCOUNT).map_err(|_| DeviceError::Signing)
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    /// The old `DeviceInfo` answer: the zero address before there is a wallet. A locked device
    /// answers it too, from what it keeps in the clear.
    #[inline(never)]
    pub(crate) fn device_info(&mut self, response: &mut Response) {
        let public = self.public();
        *response = Response::DeviceInfo {
            api_key: public.api_key.and_then(|(kid, public_key)| {
                heapless::String::try_from(kid.as_str()).ok().map(|kid| (kid, public_key))
            }),
            wallet: public.wallet.map_or([0; 20], |w| *w.address.as_bytes()),
        };
    }

    /// The `WalletInfo` answer, locked or not.
    #[inline(never)]
    pub(crate) fn wallet_info(&self) -> Response {
        use core::fmt::Write as _;
        let public = self.public();
        let wallet = public.wallet.map(|w| {
            let mut path = heapless::String::new();
            if let Some(p) = w.index.and_then(|i| signet_core::eth::DerivationPath::ethereum(i).ok()) {
                let _ = write!(path, "{p}");
            }
            WalletSummary {
                address: *w.address.as_bytes(),
                path,
                origin: w.origin,
                backup_confirmed: w.backup_confirmed,
            }
        });
        let api_key = public.api_key.and_then(|(kid, public_key)| {
            heapless::String::try_from(kid.as_str()).ok().map(|kid| (kid, public_key))
        });
        Response::WalletInfo(WalletStatus { wallet, api_key })
    }

    /// Makes a wallet (or takes up the one whose backup was never confirmed), shows its words
    /// and asks two of them back; the wallet is usable once they are right.
    #[inline(never)]
    pub(crate) fn init_wallet(&mut self, words: u8) -> Response {
        let Some(count) = word_count(words) else {
            return Response::Error(DeviceError::BadRequest);
        };
        let mnemonic = match &self.state.wallet {
            Some(wallet) if wallet.backup_confirmed => return Response::Error(DeviceError::WalletExists),
            Some(wallet) => match &wallet.mnemonic {
                Some(mnemonic) => mnemonic.clone(),
                None => return Response::Error(DeviceError::WalletExists),
            },
            None => match self.choose_no_pin().and_then(|()| self.create_wallet(count)) {
                Ok(mnemonic) => mnemonic,
                Err(e) => return Response::Error(e),
            },
        };
        let outcome = self.show_words(&mnemonic).and_then(|()| self.check_words(&mnemonic));
        if outcome.is_err() {
            let _ = self.display.show(prompts::BACKUP_CHECK_FAILED);
        } else {
            let _ = self.display.clear();
        }
        match outcome.and_then(|()| self.confirm_backup()) {
            Ok(address) => Response::WalletReady { wallet: address },
            Err(e) => Response::Error(e),
        }
    }

    /// A wallet is made on a device without a PIN only when the user chooses so there: the
    /// display says what it means and a press confirms (a host that sets a PIN first never
    /// asks; an older host gets this screen). The choice is stored with the wallet.
    fn choose_no_pin(&mut self) -> Result<(), DeviceError> {
        if self.state.pin.sealed.is_some() || self.state.pin.no_pin_chosen {
            return Ok(());
        }
        let confirmed = match self.display.show(prompts::PIN_NONE) {
            Ok(()) => self.confirm(),
            Err(_) => Err(DeviceError::NoDisplay),
        };
        let _ = self.display.clear();
        confirmed?;
        self.state.pin.no_pin_chosen = true;
        Ok(())
    }

    /// New words, their account key, stored before the words are shown: a cut from here on
    /// leaves this wallet, not yet usable, and the next `InitWallet` shows the same words again.
    /// Out of line: the key derivation's deep stack is not under the backup screens'.
    #[inline(never)]
    fn create_wallet(&mut self, count: WordCount) -> Result<Mnemonic, DeviceError> {
        let mnemonic = Mnemonic::generate(&mut self.rng, count);
        let key = account_key(&mnemonic, &Passphrase::EMPTY)?;
        self.store_created(key, &mnemonic)?;
        Ok(mnemonic)
    }

    /// Commits the new, unconfirmed wallet. Out of line, for the same reason: the next state
    /// is not on the stack while the key is derived.
    #[inline(never)]
    fn store_created(&mut self, key: WalletKey, mnemonic: &Mnemonic) -> Result<(), DeviceError> {
        let mut next = self.state.clone();
        next.wallet = Some(Wallet {
            key,
            index: Some(ACCOUNT),
            origin: WalletOrigin::Created,
            backup_confirmed: false,
            mnemonic: Some(mnemonic.clone()),
        });
        self.commit(next)
    }

    /// The backup is confirmed: the words leave the device's flash; only the account key stays.
    #[inline(never)]
    fn confirm_backup(&mut self) -> Result<[u8; 20], DeviceError> {
        let mut next = self.state.clone();
        let wallet = next.wallet.as_mut().ok_or(DeviceError::NoWallet)?;
        wallet.backup_confirmed = true;
        wallet.mnemonic = None;
        let address = *wallet.key.address().as_bytes();
        self.commit(next)?;
        Ok(address)
    }

    /// The words, a few to a screen, each screen until the user presses.
    #[inline(never)]
    fn show_words(&mut self, mnemonic: &Mnemonic) -> Result<(), DeviceError> {
        let count = mnemonic.word_count();
        let mut line = PromptLine::new();
        for first in (0..count).step_by(WORDS_PER_SCREEN) {
            let last = (first + WORDS_PER_SCREEN).min(count);
            prompts::backup_head(&mut line, first + 1, last, count).map_err(|_| DeviceError::BadRequest)?;
            for i in first..last {
                let word = mnemonic.word(i).ok_or(DeviceError::BadRequest)?;
                prompts::backup_word(&mut line, i + 1, word).map_err(|_| DeviceError::BadRequest)?;
            }
            self.display.show(&line).map_err(|_| DeviceError::NoDisplay)?;
            self.confirm()?;
        }
        Ok(())
    }

    /// Asks [`BACKUP_CHECK_WORDS`] words back: for each, [`BACKUP_CHECK_CANDIDATES`] words in
    /// turn, the user pressing at the right one. A wrong press, or none, fails the check.
    #[inline(never)]
    fn check_words(&mut self, mnemonic: &Mnemonic) -> Result<(), DeviceError> {
        let count = mnemonic.word_count() as u32;
        let first = self.rng.next_u32() % count;
        let second = (first + 1 + self.rng.next_u32() % (count - 1)) % count;
        let mut line = PromptLine::new();
        for position in [first as usize, second as usize] {
            let right = mnemonic.index(position).ok_or(DeviceError::BadRequest)?;
            let mut candidates = [right; BACKUP_CHECK_CANDIDATES];
            let mut filled = 1;
            while filled < BACKUP_CHECK_CANDIDATES {
                let other = (self.rng.next_u32() % 2048) as u16;
                if !candidates.get(..filled).unwrap_or_default().contains(&other) {
                    if let Some(slot) = candidates.get_mut(filled) {
                        *slot = other;
                    }
                    filled += 1;
                }
            }
            candidates.swap(0, (self.rng.next_u32() as usize) % BACKUP_CHECK_CANDIDATES);
            let mut chosen = None;
            for &candidate in &candidates {
                let word = english_word(candidate).ok_or(DeviceError::BadRequest)?;
                prompts::backup_check(&mut line, position + 1, word).map_err(|_| DeviceError::BadRequest)?;
                self.display.show(&line).map_err(|_| DeviceError::NoDisplay)?;
                if self.presence.confirm_within(BACKUP_CHECK_WAIT_MS).unwrap_or(false) {
                    chosen = Some(candidate);
                    break;
                }
            }
            if chosen != Some(right) {
                return Err(DeviceError::NotConfirmed);
            }
        }
        Ok(())
    }

    /// Restores a wallet from the host's words and passphrase, after a press.
    #[inline(never)]
    pub(crate) fn restore_wallet(&mut self, secret: &RestoreSecret) -> Response {
        if self.state.wallet.is_some() {
            return Response::Error(DeviceError::WalletExists);
        }
        let Ok(mnemonic) = Mnemonic::from_indices(&secret.words) else {
            return Response::Error(DeviceError::BadMnemonic);
        };
        let passphrase = core::str::from_utf8(&secret.passphrase).ok().and_then(|p| Passphrase::new(p).ok());
        let Some(passphrase) = passphrase else {
            return Response::Error(DeviceError::BadMnemonic);
        };
        if let Err(e) = self.choose_no_pin() {
            return Response::Error(e);
        }
        let key = match account_key(&mnemonic, &passphrase) {
            Ok(key) => key,
            Err(e) => return Response::Error(e),
        };
        let confirmed = self.ask_restore(&key.address());
        if let Err(e) = confirmed {
            return Response::Error(e);
        }
        self.store_restored(key)
    }

    /// Shows the restored address and waits for the press.
    #[inline(never)]
    fn ask_restore(&mut self, address: &signet_core::eth::Address) -> Result<(), DeviceError> {
        let mut line = PromptLine::new();
        let confirmed = prompts::restore(&mut line, address)
            .map_err(|_| DeviceError::BadRequest)
            .and_then(|()| self.display.show(&line).map_err(|_| DeviceError::NoDisplay))
            .and_then(|()| self.confirm());
        let _ = self.display.clear();
        confirmed
    }

    #[inline(never)]
    fn store_restored(&mut self, key: WalletKey) -> Response {
        let address = *key.address().as_bytes();
        let mut next = self.state.clone();
        next.wallet = Some(Wallet {
            key,
            index: Some(ACCOUNT),
            origin: WalletOrigin::Restored,
            backup_confirmed: true,
            mnemonic: None,
        });
        match self.commit(next) {
            Ok(()) => Response::WalletReady { wallet: address },
            Err(e) => Response::Error(e),
        }
    }

    /// Erases everything after two presses: the wallet, the API key, the clock changes.
    #[inline(never)]
    pub(crate) fn wipe(&mut self) -> Response {
        // Two presses, shown when there is a display (a wipe gives nothing away, so a device
        // without one may wipe too).
        let _ = self.display.show(prompts::WIPE_FIRST);
        let confirmed = self.confirm().and_then(|()| {
            let _ = self.display.show(prompts::WIPE_SECOND);
            self.confirm()
        });
        let _ = self.display.clear();
        if let Err(e) = confirmed {
            return Response::Error(e);
        }
        match self.commit(State::default()) {
            Ok(()) => Response::Wiped,
            Err(e) => Response::Error(e),
        }
    }
}
