//! The address a server names in its base URL for the address it listens on.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// `addr` itself, or for an unspecified address (`0.0.0.0`, `::`) the loopback address of
/// its family: a client cannot connect to an unspecified address, and loopback always
/// reaches a server that listens on every interface.
pub(crate) fn advertised(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_advertise_loopback() {
        let at = |s: &str| advertised(s.parse().unwrap()).to_string();
        assert_eq!(at("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(at("[::]:8080"), "[::1]:8080");
        assert_eq!(at("192.0.2.7:80"), "192.0.2.7:80");
        assert_eq!(at("[::1]:1"), "[::1]:1");
    }
}
