//! `faceki-kiosk sim`: the FACEKI simulator as a standalone server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::sim::{self, IdImageMode, Scenario, SimConfig};

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8089)]
    pub port: u16,
    /// Address to bind. Keep it on loopback: the kiosk only talks plain http to this machine.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Initial scenario (switch at run time with POST /sim/scenario).
    #[arg(long, default_value = "match")]
    pub scenario: Scenario,
    /// How the ID image is served: ok, not-found, forbidden, not-an-image, huge, slow.
    #[arg(long, default_value = "ok")]
    pub id_image: IdImageMode,
    #[arg(long, default_value = sim::DEMO_CLIENT_ID)]
    pub client_id: String,
    #[arg(long, default_value = sim::DEMO_CLIENT_SECRET, hide_default_value = true)]
    pub client_secret: String,
    /// Lifetime of the tokens handed out, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: u64,
}

pub fn run(args: SimArgs) -> anyhow::Result<ExitCode> {
    let cfg = SimConfig {
        client_id: args.client_id,
        client_secret: args.client_secret,
        token_ttl: Duration::from_secs(args.token_ttl.max(1)),
        scenario: args.scenario,
        id_image: args.id_image,
    };
    super::runtime()?.block_on(async move {
        let handle = sim::start(cfg, SocketAddr::new(args.bind, args.port)).await?;
        // The one line scripts wait for.
        println!("FACEKI simulator on {}", handle.base_url());
        eprintln!(
            "scenario {}; switch with: curl -X POST {}/sim/scenario -H 'content-type: application/json' -d '{{\"scenario\":\"no-match\"}}'",
            handle.scenario(),
            handle.base_url()
        );
        tokio::signal::ctrl_c().await?;
        handle.stop();
        Ok(ExitCode::SUCCESS)
    })
}
