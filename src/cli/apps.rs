//! `ascvault apps`: the apps the API key can see.

use super::args::asc::AppsArgs;
use super::asc::AscSession;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Table, print, print_json, say};

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
