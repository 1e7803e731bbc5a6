//! The client library against hostile and slow providers: the log scanner splitting pages refused
//! for their result count, a send whose answer is lost recovered by hash (never sent twice), a
//! receipt wait that times out naming the transaction, retries through rate limits, and a node that
//! is not up yet when the client connects, and TLS on https:// endpoints.

mod common;

use alloy::{node_bindings::Anvil, primitives::U256, providers::Provider};
use common::{anvil_path, proxy::Hostility, tokens, Devnet};
use datanet_bindings::DatanetRegistry::DatanetCreated;
use datanet_client::{Client, ClientError, RpcConfig, Session};
use std::time::Duration;

/// A session signing as account `i` through the devnet's proxy.
async fn session_through_proxy(net: &Devnet, i: usize, config: RpcConfig) -> Session {
    let client = Client::connect(&config, Some(net.signer(i)))
        .await
        .expect("connect through the proxy");
    Session::open(client, &net.path("deployments"))
        .await
        .expect("session")
}

#[tokio::test]
async fn the_scanner_splits_pages_a_provider_refuses_for_their_result_count() {
    let net = Devnet::start_hostile(
        &[],
        Hostility {
            max_log_results: 4,
            max_log_blocks: 1_000_000,
            rate_limit_percent: 0,
            drop_send: None,
            ..Hostility::default()
        },
    );
    for _ in 0..13 {
        net.create_datanet(0, "0", "1d");
    }
    let session = session_through_proxy(&net, 0, RpcConfig::new(net.url())).await;
    let latest = session.client.latest_block().await.unwrap();
    let events = session
        .client
        .events::<DatanetCreated>(
            alloy::rpc::types::Filter::new().address(session.deployment.datanet_registry),
            0,
            latest,
        )
        .await
        .unwrap();
    let ids: Vec<U256> = events.iter().map(|(e, _)| e.datanetId).collect();
    assert_eq!(
        ids,
        (1..=13).map(U256::from).collect::<Vec<_>>(),
        "all, in chain order"
    );
    let stats = session.client.stats();
    let proxy = &net.proxy.as_ref().unwrap().stats;
    assert!(proxy.get(&proxy.refused_results) > 0, "{proxy}");
    assert_eq!(stats.log_refusals, proxy.get(&proxy.refused_results));
    println!("{proxy}; client: {stats:?}");
}

#[tokio::test]
async fn a_lost_send_answer_is_recovered_by_hash_and_never_sent_twice() {
    let net = Devnet::start();
    // A proxy that answers nothing to the first transaction it forwards.
    let proxy = common::proxy::HostileProxy::start(
        &net.direct_url(),
        Hostility {
            rate_limit_percent: 0,
            drop_send: Some(1),
            ..Hostility::default()
        },
    );
    let client = Client::connect(&RpcConfig::new(proxy.url()), Some(net.signer(0)))
        .await
        .unwrap();
    let session = Session::open(client, &net.path("deployments"))
        .await
        .unwrap();
    let provider = net.session(0).await.client.provider().clone();
    let nonce_before = provider
        .get_transaction_count(net.address(0))
        .await
        .unwrap();
    let receipt = session
        .transfer(net.address(5), tokens("3"))
        .await
        .expect("the transfer succeeds although its answer was lost");
    assert!(receipt.status());
    let nonce_after = provider
        .get_transaction_count(net.address(0))
        .await
        .unwrap();
    assert_eq!(nonce_after, nonce_before + 1, "exactly one transaction");
    assert_eq!(net.balance(net.address(5)).await, tokens("3"));
    assert_eq!(proxy.stats.get(&proxy.stats.dropped_sends), 1);
    assert_eq!(session.client.stats().send_recoveries, 1);
}

#[tokio::test]
async fn a_receipt_wait_times_out_naming_the_transaction() {
    let net = Devnet::start();
    net.rpc("evm_setAutomine", (false,)).await;
    let mut config = RpcConfig::new(net.direct_url());
    config.receipt_timeout = Duration::from_secs(1);
    let client = Client::connect(&config, Some(net.signer(0))).await.unwrap();
    let session = Session::open(client, &net.path("deployments"))
        .await
        .unwrap();
    let err = session
        .transfer(net.address(5), tokens("1"))
        .await
        .expect_err("nothing is mined");
    let ClientError::ReceiptTimeout { tx, .. } = &err else {
        panic!("not a receipt timeout: {err}");
    };
    let message = err.to_string();
    assert!(
        message.contains(&tx.to_string()) && message.contains("re-run"),
        "{message}"
    );
    // The node did take it: once mined, it is there, once.
    net.rpc("evm_mine", ()).await;
    assert_eq!(net.balance(net.address(5)).await, tokens("1"));
}

#[tokio::test]
async fn reads_are_retried_through_rate_limits_and_a_node_that_is_not_up_yet() {
    let net = Devnet::start_hostile(
        &[],
        Hostility {
            rate_limit_percent: 40,
            drop_send: None,
            ..Hostility::default()
        },
    );
    let session = session_through_proxy(&net, 0, RpcConfig::new(net.url())).await;
    for _ in 0..20 {
        session
            .balance(net.address(0))
            .await
            .expect("a read through 429s");
    }
    let stats = session.client.stats();
    assert!(
        stats.rate_limited > 0 && stats.retries >= stats.rate_limited,
        "{stats:?}"
    );

    // A node that starts listening a moment after the client's first request.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let starter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        Anvil::new().path(anvil_path()).port(port).spawn()
    });
    let client = Client::connect(&RpcConfig::new(format!("http://127.0.0.1:{port}")), None)
        .await
        .expect("connects once the node is up");
    assert_eq!(client.chain_id(), 31337);
    assert!(client.stats().retries > 0);
    drop(starter.join().unwrap());
}

/// An `https://` endpoint is spoken to over TLS (the default `rustls` feature): the first bytes the
/// server sees are a TLS handshake record, and a server that is not one fails in one line naming
/// the endpoint.
#[test]
fn https_endpoints_speak_tls() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let first_bytes = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            match listener.accept() {
                Ok((mut socket, _)) => {
                    socket.set_nonblocking(false).unwrap();
                    let mut head = [0u8; 3];
                    socket.read_exact(&mut head).ok()?;
                    return Some(head); // dropping the socket ends the handshake
                }
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(_) => return None,
            }
        }
    });
    let net = Devnet::start();
    let run = net.run_raw(&["datanet", "show", "1", "--retries", "0", "--rpc-url", &url]);
    let head = first_bytes
        .join()
        .unwrap()
        .expect("the client never connected to the https endpoint");
    // ContentType::Handshake (22), protocol version 3.x: a ClientHello, not plain HTTP.
    assert_eq!(head[..2], [0x16, 0x03], "not a TLS record: {head:x?}");
    run.failure(&["cannot reach the rpc endpoint", &url]);
}
