//! `ascvault apps`: the apps the API key can see.

use clap::Args;

use super::asc::{AscArgs, AscSession};
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Table, print, print_json, say};

/// `apps`
#[derive(Debug, Args)]
pub struct AppsArgs {
    /// JSON output: [{id, name, bundle_id, sku}].
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

/// `apps`
pub fn run(ctx: &Context, args: &AppsArgs) -> CliResult {
    let client = AscSession::open(ctx, &args.asc)?.client;
    let apps = crate::asc::apps::list(&client)?;
    if args.json {
        return print_json(&serde_json::to_value(&apps).map_err(|e| CliError::new(e.to_string()))?);
    }
    if apps.is_empty() {
        say("this key sees no apps");
        return Ok(());
    }
    let mut table = Table::new(&["ID", "NAME", "BUNDLE ID", "SKU"]);
    for a in apps {
        table.row(vec![a.id, a.name, a.bundle_id, a.sku]);
    }
    print(&table.render())
}
