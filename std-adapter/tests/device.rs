//! End to end over an in-memory duplex link: the real device loop (signet-embedded, with a mock
//! DS3231 and a mock button) on one thread, the host's `DeviceClient` on another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::thread;

use embedded_hal_mock::eh1::delay::NoopDelay;
use embedded_hal_mock::eh1::digital::{Mock as Pin, State, Transaction as PinTx};
use embedded_hal_mock::eh1::i2c::{Mock as I2c, Transaction as I2cTx};
use embedded_io_adapters::std::FromStd;
use signet_core::UnixTime;
use signet_core::eth::WalletKey;
use signet_core::link::DeviceError;
use signet_core::turbine::{ApiSecret, KeyId, KeyRecord, KeyRing, NonceCache, Verifier};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, Error, RtcClock};
use signet_std::TurbineApiKey;
use signet_std::device::{DeviceClient, DeviceClientError};
use signet_testing::duplex;

/// 2025-01-02 00:50:17 UTC in DS3231 registers.
const RTC_NOW: [u8; 7] = [0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25];
const NOW: UnixTime = UnixTime(1_735_779_017);
const CONFIG: ButtonConfig =
    ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 2, timeout_ms: 50 };

fn samples(levels: &[State]) -> Vec<PinTx> {
    levels.iter().map(|&level| PinTx::get(level)).collect()
}

#[test]
fn host_and_device_over_a_duplex_link() {
    let api_secret = ApiSecret::from_hex(&"5a".repeat(32)).unwrap();
    let api_key = TurbineApiKey { key_id: KeyId::new("device-key-1").unwrap(), secret: api_secret };
    let wallet = WalletKey::from_bytes(&[0x42; 32]).unwrap();
    let address = wallet.address();

    // What the hardware will see, in order: the RTC (status, then calendar: its oscillator
    // kept running) is read for each of the two tokens; the
    // button is pressed for the registration, then left alone (timeout: 6 samples at 10 ms),
    // then pressed again to install the key.
    let read_rtc = || {
        [
            I2cTx::write_read(0x68, vec![0x0F], vec![0x08]),
            I2cTx::write_read(0x68, vec![0x00], RTC_NOW.to_vec()),
        ]
    };
    let i2c = I2c::new(&[read_rtc(), read_rtc()].concat());
    let (up, down) = (State::High, State::Low);
    let mut reads = samples(&[up, up, down, down]);
    reads.extend(samples(&[up; 6]));
    reads.extend(samples(&[down, up, up, down, down]));
    let pin = Pin::new(&reads);
    let blinks: Vec<_> =
        [PinTx::set(State::High), PinTx::set(State::Low)].iter().cycle().take(6).cloned().collect();
    let led = Pin::new(&blinks);
    let button = Button::new(pin.clone(), led.clone(), NoopDelay::new(), CONFIG);

    let (host_end, device_end) = duplex();
    let device = thread::spawn(move || {
        let keys = DeviceKeys::new(wallet);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(keys, RtcClock::new(i2c.clone()), button, rng);
        let mut link = FromStd::new(device_end);
        let outcome = device.run(&mut link);
        let mut i2c = i2c;
        i2c.done();
        outcome
    });

    let mut host = DeviceClient::new(host_end);
    let info = host.info().unwrap();
    assert_eq!((info.address, info.api_key), (address, None));
    // No key installed yet.
    assert!(matches!(host.mint_token(), Err(DeviceClientError::Device(DeviceError::NoApiKey))));

    // Registration: pressed, then not pressed.
    let registration = host.sign_registration().unwrap();
    assert_eq!(registration.address, address);
    let text = address.to_checksummed();
    assert_eq!(
        signet_core::turbine::verify_registration(&text, &registration.signature.to_hex()),
        Ok(address)
    );
    assert!(matches!(host.sign_registration(), Err(DeviceClientError::Device(DeviceError::NotConfirmed))));

    // The key a server would have issued goes onto the device; tokens then verify.
    host.install_api_key(&api_key).unwrap();
    let info = host.info().unwrap();
    let (kid, public_key) = info.api_key.unwrap();
    assert_eq!((&kid, public_key), (&api_key.key_id, api_key.secret.verifying_key()));
    let mut keys = KeyRing::<1>::new();
    keys.insert(kid, KeyRecord::active(public_key)).unwrap();
    let mut verifier = Verifier::new(keys, NonceCache::<8>::new());
    for _ in 0..2 {
        let token = host.mint_token().unwrap();
        let claims = verifier.verify_str(Some(&format!("Bearer {token}")), NOW).unwrap();
        assert_eq!((claims.kid.as_str(), claims.ts), ("device-key-1", NOW));
    }

    // The host hangs up; the device loop ends with the link and every expectation was met.
    drop(host);
    assert!(matches!(device.join().unwrap(), Err(Error::LinkClosed)));
    let (mut pin, mut led) = (pin, led);
    pin.done();
    led.done();
}

/// The third review: a device that streams bytes without ever ending a frame kept `signet device
/// --timeout 3 info` waiting 18 s, the timeout being per read. The deadline is for the answer.
#[test]
fn a_device_streaming_without_a_frame_end_times_out_at_the_deadline() {
    use std::io::{Read as _, Write as _};
    let (host_end, mut device_end) = duplex();
    let streamer = thread::spawn(move || {
        let mut request = [0u8; 64];
        let _ = device_end.read(&mut request);
        // Bounded: at most 5 s of a byte every 10 ms, never a delimiter.
        for _ in 0..500 {
            if device_end.write_all(b"x").is_err() {
                break;
            }
            thread::sleep(core::time::Duration::from_millis(10));
        }
    });
    let limit = core::time::Duration::from_millis(700);
    let mut host = DeviceClient::new(host_end).with_deadline(limit);
    let started = std::time::Instant::now();
    let refused = host.info().unwrap_err();
    let took = started.elapsed();
    println!("streaming device: refused after {took:?} with a {limit:?} deadline: {refused}");
    assert!(matches!(refused, DeviceClientError::TimedOut(_)), "{refused:?}");
    assert_eq!(refused.to_string(), "the device did not answer within 0.7 s");
    assert!(took < limit + core::time::Duration::from_millis(300), "{took:?}");
    drop(host);
    streamer.join().unwrap();
}
