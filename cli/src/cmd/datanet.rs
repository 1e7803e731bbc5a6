//! `datanet datanet create|show|contributions|curator add|remove`.

use super::{print_json, Common};
use crate::ui::{parse_duration, Table};
use alloy::primitives::Address;
use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use datanet_client::{
    contributions::{ContributionFilter, DatanetContribution},
    session::Status,
};
use serde_json::json;

/// Datanets: dataset registries with an owner, curators, a bond and a review period.
#[derive(Args)]
pub struct DatanetArgs {
    #[command(subcommand)]
    action: DatanetAction,
}

#[derive(Subcommand)]
enum DatanetAction {
    /// Create a datanet owned by your account.
    Create(CreateArgs),
    /// Show a datanet: owner, bond, review period, metadata and curators.
    Show(ShowArgs),
    /// List a datanet's contributions from chain data (default: the pending ones a curator reviews).
    #[command(long_about = CONTRIBUTIONS_ABOUT)]
    Contributions(ContributionsArgs),
    /// Add or remove curators of a datanet you own.
    Curator(CuratorArgs),
}

pub async fn run(args: DatanetArgs) -> Result<()> {
    match args.action {
        DatanetAction::Create(a) => create(a).await,
        DatanetAction::Show(a) => show(a).await,
        DatanetAction::Contributions(a) => contributions(a).await,
        DatanetAction::Curator(a) => curator(a).await,
    }
}

#[derive(Args)]
struct CreateArgs {
    #[command(flatten)]
    common: Common,
    /// Where the datanet's description lives (e.g. ipfs://…).
    #[arg(long, value_name = "URI")]
    metadata_uri: String,
    /// Bond each contribution locks until reviewed, in tokens of the deployment's token (returned on
    /// accept, to the treasury on reject).
    #[arg(
        long,
        default_value = "0",
        value_name = "TOKENS",
        allow_hyphen_values = true
    )]
    bond: String,
    /// Time curators have to review (3600, 30m, 12h, 7d); afterwards anyone may finalize as accepted.
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    review_period: String,
}

async fn create(args: CreateArgs) -> Result<()> {
    let period = parse_duration(&args.review_period)?;
    let Ok(period) = u32::try_from(period) else {
        bail!(
            "--review-period {} is too long (at most ~136 years)",
            args.review_period
        );
    };
    let session = args.common.session().await?;
    let token = session.token().await?.clone();
    let bond = token.parse(&args.bond)?;
    let (datanet_id, receipt) = session
        .create_datanet(&args.metadata_uri, bond, period)
        .await?;
    if args.common.json {
        return print_json(&json!({
            "datanetId": datanet_id,
            "owner": session.client.sender()?,
            "bond": bond.to_string(),
            "reviewPeriod": period,
            "metadataUri": args.metadata_uri,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!(
        "Created datanet {datanet_id} (bond {}, review period {period}s)",
        token.amount(bond)
    );
    println!("  transaction {}", receipt.transaction_hash);
    Ok(())
}

#[derive(Args)]
struct ShowArgs {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
}

async fn show(args: ShowArgs) -> Result<()> {
    let session = args.common.read_session().await?;
    let info = session.datanet(args.datanet_id).await?;
    let token = session.token().await?;
    if args.common.json {
        return print_json(&info);
    }
    println!("datanet        {}", info.datanet_id);
    println!("owner          {}", info.owner);
    println!("bond           {}", token.amount(info.bond));
    println!("review period  {}s", info.review_period);
    println!("metadata       {}", info.metadata_uri);
    if info.curators.is_empty() {
        println!("curators       (none: the owner reviews)");
    } else {
        for (i, c) in info.curators.iter().enumerate() {
            println!(
                "{}{c}",
                if i == 0 {
                    "curators       "
                } else {
                    "               "
                }
            );
        }
    }
    Ok(())
}

const CONTRIBUTIONS_ABOUT: &str = "\
List a datanet's contributions from chain data alone (its Contributed events and each \
contribution's current record): id, content hash, contributor, status, submission time, and for a \
pending one until when curators may review it and after when anyone may finalize it. Sorted by \
submission. Needs no wallet and no file from the contributors.

A curator's round:
  datanet datanet contributions 1                      # what waits for review
  datanet review 0xID… 0xID… --accept                  # the datanet's owner or curators, before
  datanet review 0xID… --reject                        #   'review until' (rejected bonds go to the treasury)
  datanet finalize 0xID…                               # anyone, after 'finalize after': accepted

A contribution taken over by an earlier commitment to the same content, or contributed again after \
a rejection, is listed once, as its latest registration (contributor and URI).";

#[derive(Args)]
struct ContributionsArgs {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
    /// Which contributions to list.
    #[arg(long, value_enum, default_value_t = StatusChoice::Pending)]
    status: StatusChoice,
    /// Only the contributions of this contributor.
    #[arg(long, value_name = "ADDRESS")]
    address: Option<Address>,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusChoice {
    /// Waiting for a review (or, after the review period, for `finalize`).
    Pending,
    /// Accepted by a curator or finalized: part of the corpus.
    Accepted,
    /// Rejected (the bond went to the treasury); the content may be contributed again.
    Rejected,
    /// Accepted, then retired by the contributor from later epochs.
    Retired,
    /// Every status.
    All,
}

impl StatusChoice {
    fn status(self) -> Option<Status> {
        match self {
            Self::Pending => Some(Status::Pending),
            Self::Accepted => Some(Status::Accepted),
            Self::Rejected => Some(Status::Rejected),
            Self::Retired => Some(Status::Retired),
            Self::All => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Retired => "retired",
            Self::All => "all",
        }
    }
}

async fn contributions(args: ContributionsArgs) -> Result<()> {
    let session = args.common.read_session().await?;
    let filter = ContributionFilter {
        status: args.status.status(),
        contributor: args.address,
    };
    let listing = session
        .datanet_contributions(args.datanet_id, filter)
        .await?;
    if args.common.json {
        return print_json(&listing.contributions);
    }
    let what = match args.status {
        StatusChoice::All => "contributions".to_string(),
        choice => format!("{} contributions", choice.name()),
    };
    let whose = args.address.map(|a| format!(" of {a}")).unwrap_or_default();
    if listing.contributions.is_empty() {
        println!(
            "No {what}{whose} in datanet {} (chain time {} UTC, block {}).",
            args.datanet_id,
            utc(listing.timestamp),
            listing.block
        );
        return Ok(());
    }
    println!(
        "{} {what}{whose} in datanet {}, by submission (chain time {} UTC, block {}):",
        listing.contributions.len(),
        args.datanet_id,
        utc(listing.timestamp),
        listing.block
    );
    let mut table = Table::new(&[
        "contribution",
        "content hash",
        "contributor",
        "status",
        "submitted (UTC)",
        "review until",
        "finalize after",
        "uri",
    ]);
    let deadline = |t: Option<u64>| t.map(utc).unwrap_or_else(|| "-".into());
    for c in &listing.contributions {
        table.row(vec![
            c.contribution_id.to_string(),
            c.content_hash.to_string(),
            c.contributor.to_string(),
            format!("{:?}", c.status).to_lowercase(),
            utc(c.submitted_at),
            deadline(c.review_until),
            deadline(c.finalizable_after),
            c.uri.clone(),
        ]);
    }
    table.print();
    print_next_steps(&listing.contributions, listing.timestamp);
    Ok(())
}

/// What the reader can do with the pending contributions listed, at chain time `now`.
fn print_next_steps(listed: &[DatanetContribution], now: u64) {
    let reviewable = listed
        .iter()
        .filter(|c| c.review_until.is_some_and(|t| now <= t))
        .count();
    let finalizable = listed
        .iter()
        .filter(|c| c.finalizable_after.is_some_and(|t| now > t))
        .count();
    if reviewable > 0 {
        println!(
            "\n{reviewable} can be reviewed now (the datanet's owner or a curator): \
             datanet review ID… --accept  (or --reject: the bond goes to the treasury)"
        );
    }
    if finalizable > 0 {
        println!("\n{finalizable} can be finalized now, as accepted (anyone): datanet finalize ID");
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC, proleptic Gregorian calendar).
fn utc(unix: u64) -> String {
    let (days, seconds) = (unix / 86_400, unix % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (no dates before 1970 occur).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60
    )
}

#[derive(Args)]
struct CuratorArgs {
    #[command(subcommand)]
    action: CuratorAction,
}

#[derive(Subcommand)]
enum CuratorAction {
    /// Let ADDRESS review contributions of DATANET_ID.
    Add(CuratorChange),
    /// Stop ADDRESS from reviewing contributions of DATANET_ID.
    Remove(CuratorChange),
}

#[derive(Args)]
struct CuratorChange {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
    /// The curator's address.
    curator: Address,
}

async fn curator(args: CuratorArgs) -> Result<()> {
    let (change, enabled) = match args.action {
        CuratorAction::Add(c) => (c, true),
        CuratorAction::Remove(c) => (c, false),
    };
    let session = change.common.session().await?;
    let receipt = session
        .set_curator(change.datanet_id, change.curator, enabled)
        .await?;
    if change.common.json {
        return print_json(&json!({
            "datanetId": change.datanet_id,
            "curator": change.curator,
            "enabled": enabled,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    let verb = if enabled {
        "is now a curator of"
    } else {
        "no longer curates"
    };
    println!("{} {verb} datanet {}", change.curator, change.datanet_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(utc(4_107_542_399), "2100-02-28 23:59:59");
    }
}
