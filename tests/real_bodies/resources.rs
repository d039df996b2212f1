//! Apps and customer reviews as Apple sends them: the example page of
//! Apple's API reference (`customerReviews_appledoc_apps.json`) and the apps
//! fastlane and codemagic recorded from the real service (extra attributes,
//! `included` versions, no top-level links; `null` attributes), served
//! through the stand-in's front door. Checked: what `ascvault apps` and
//! `reviews list` print and emit, that Apple's `links.next` is followed as
//! given, that Pacific offsets are read as instants, that each body passes
//! the shape check (so the checker is no stricter than Apple), and that the
//! stand-in's own resources carry the keys Apple's do.

use asc_standin::{Fault, seed};
use serde_json::{Value, json};

use crate::support::openapi::{assert_shape, load};
use crate::support::real;
use crate::support::standin::{AscWorld, api_get};

const APPLE: &str = "https://api.appstoreconnect.apple.com";
const REVIEWS: &str = "customerReviews_appledoc_apps.json";
const FASTLANE: &str = "recorded/apps_fastlane_testflight.json";
const CODEMAGIC_LIST: &str = "recorded/apps_codemagic_wrapped.json";
const CODEMAGIC_ONE: &str = "recorded/app_codemagic_single.json";

/// Apple's body with its links pointing at the stand-in instead of Apple
/// (ascvault follows `links.next` only on the host it called).
fn on_standin(w: &AscWorld, doc: &Value) -> Value {
    serde_json::from_str(&doc.to_string().replace(APPLE, &w.server.url())).unwrap()
}

/// Apple's example review page for Pocket Notes, then an empty last page
/// where its `links.next` leads.
fn serve_apples_review_page(w: &AscWorld, doc: &Value) {
    w.server.fault(
        &format!("/v1/apps/{}/customerReviews", seed::NOTES_APP_ID),
        Fault::json(&on_standin(w, doc)),
        1,
    );
    let last = json!({"data": [], "links": {"self": format!("{}/v1/apps/682658836/customerReviews", w.server.url())}});
    w.server
        .fault("/v1/apps/682658836/customerReviews", Fault::json(&last), 1);
}

#[test]
fn apples_example_review_page_is_listed_as_apple_wrote_it() {
    let Some(doc) = real::json(REVIEWS) else {
        return;
    };
    let w = AscWorld::new();
    serve_apples_review_page(&w, &doc);
    let rows = w
        .cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(
        rows,
        json!([{
            "id": "00000028-b08c-0014-729e-fbd500000000",
            "rating": 5,
            "title": "Awesome!!!",
            "body": "It's a really fantastic app!",
            "reviewer_nickname": "Anne Johnson",
            "created_date": "2017-11-15T08:10:34-08:00",
            "territory": "USA",
            "response": null,
        }])
    );
    // Apple's `links.next` was followed as given: its cursor and limit.
    let next = &w.server.requests_to("/v1/apps/682658836/customerReviews")[0];
    assert_eq!(next.param("cursor").as_deref(), Some("AQ.AMt2C-U"));
    assert_eq!(next.param("limit").as_deref(), Some("1"));
    let w = AscWorld::new();
    serve_apples_review_page(&w, &doc);
    w.cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID])
        .run()
        .success()
        .stdout_has("2017-11-15")
        .stdout_has("★★★★★")
        .stdout_has("Anne Johnson")
        .stdout_has("Awesome!!!");
}

#[test]
fn a_pacific_offset_is_an_instant_for_since() {
    let Some(doc) = real::json(REVIEWS) else {
        return;
    };
    // 08:10:34-08:00 is 16:10:34 UTC: kept at that instant, dropped a
    // second later (and no further page is asked for).
    for (since, kept) in [("2017-11-15T16:10:34Z", 1), ("2017-11-15T16:10:35Z", 0)] {
        let w = AscWorld::new();
        serve_apples_review_page(&w, &doc);
        let rows = w
            .cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID, "--json"])
            .args(&["--since", since])
            .run()
            .success()
            .json();
        assert_eq!(rows.as_array().unwrap().len(), kept, "{since}: {rows}");
    }
}

#[test]
fn a_null_next_link_ends_the_listing() {
    let Some(mut doc) = real::json(REVIEWS) else {
        return;
    };
    // "Real answers can be less tidy": `links.next: null` on the last page.
    doc["links"]["next"] = Value::Null;
    let w = AscWorld::new();
    let path = format!("/v1/apps/{}/customerReviews", seed::NOTES_APP_ID);
    w.server.fault(&path, Fault::json(&on_standin(&w, &doc)), 1);
    let rows = w
        .cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(w.count(&path), 1, "no request after a null next");
}

#[test]
fn apps_recorded_from_apple_are_listed() {
    for (file, first, count) in [
        (
            FASTLANE,
            [
                "123456789",
                "FastlaneTest",
                "com.joshholtz.FastlaneTest",
                "SKU_SKU_SKU_SKU",
            ],
            5,
        ),
        (
            CODEMAGIC_LIST,
            [
                "1481211155",
                "Banaan Codemagic",
                "io.codemagic.banaan",
                "banaanike",
            ],
            1,
        ),
    ] {
        let Some(doc) = real::json(file) else { return };
        let w = AscWorld::new();
        w.server.fault("/v1/apps", Fault::json(&doc), 2);
        let v = w.cmd(&["apps", "--json"]).run().success().json();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), count, "{file}: {v}");
        assert_eq!(
            rows[0],
            json!({"id": first[0], "name": first[1], "bundle_id": first[2], "sku": first[3]}),
            "{file}"
        );
        // Every app as Apple wrote it, in Apple's order.
        for (row, app) in rows.iter().zip(doc["data"].as_array().unwrap()) {
            assert_eq!(row["id"], app["id"], "{file}");
            assert_eq!(row["name"], app["attributes"]["name"], "{file}");
            assert_eq!(row["bundle_id"], app["attributes"]["bundleId"], "{file}");
        }
        let out = w.cmd(&["apps"]).run().success();
        let line = out.stdout().lines().nth(1).unwrap_or_default().to_owned();
        assert!(line.starts_with(first[0]), "{file}: {line}");
        for cell in &first[1..] {
            assert!(line.contains(cell), "{file}: {cell} not in {line}");
        }
        assert_eq!(out.stdout().lines().count(), 1 + count, "{file}");
    }
}

#[test]
fn the_codemagic_app_with_null_attributes_resolves_by_id_and_by_bundle_id() {
    let (Some(one), Some(list), Some(reviews)) = (
        real::json(CODEMAGIC_ONE),
        real::json(CODEMAGIC_LIST),
        real::json(REVIEWS),
    ) else {
        return;
    };
    for (app, body) in [("1481211155", one), ("io.codemagic.banaan", list)] {
        let w = AscWorld::new();
        w.server.fault("/v1/apps", Fault::json(&body), 1);
        w.server.fault(
            "/v1/apps/1481211155/customerReviews",
            Fault::json(&on_standin(&w, &reviews)),
            1,
        );
        let out = w
            .cmd(&["-v", "reviews", "list", "--app", app, "--max", "1"])
            .run()
            .success()
            .stderr_has("app 1481211155 (Banaan Codemagic)")
            .stdout_has("Anne Johnson");
        drop(out);
    }
}

#[test]
fn apples_bodies_pass_the_shape_check() {
    let root = load("openapi-reviews-3.7.json");
    for (file, schema) in [
        (REVIEWS, "CustomerReviewsResponse"),
        (FASTLANE, "AppsResponse"),
        (CODEMAGIC_LIST, "AppsResponse"),
        (CODEMAGIC_ONE, "AppResponse"),
    ] {
        let Some(doc) = real::json(file) else { return };
        assert_shape(&root, schema, &doc);
    }
}

/// The keys of `v` (an object), sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn standin_resources_carry_the_keys_apple_sends() {
    let (Some(reviews), Some(app)) = (real::json(REVIEWS), real::json(CODEMAGIC_ONE)) else {
        return;
    };
    let w = AscWorld::new();
    let get = |path: &str| -> Value {
        let (status, body) = api_get(&w.server, path, "application/json");
        assert_eq!(status, 200, "{path}");
        serde_json::from_slice(&body).unwrap()
    };
    let ours = get(&format!(
        "/v1/apps/{}/customerReviews?limit=1",
        seed::NOTES_APP_ID
    ));
    let apples = &reviews["data"][0];
    let mine = &ours["data"][0];
    assert_eq!(keys(mine), keys(apples));
    assert_eq!(keys(&mine["attributes"]), keys(&apples["attributes"]));
    assert_eq!(
        keys(&mine["relationships"]["response"]["links"]),
        keys(&apples["relationships"]["response"]["links"])
    );
    assert_eq!(keys(&ours), keys(&reviews), "data, links, meta");
    assert_eq!(
        keys(&ours["links"]),
        keys(&reviews["links"]),
        "self and next"
    );
    let ours = get(&format!("/v1/apps/{}", seed::NOTES_APP_ID));
    let (apples, mine) = (&app["data"], &ours["data"]);
    assert_eq!(keys(mine), keys(apples));
    for part in ["attributes", "relationships"] {
        let theirs = keys(&apples[part]);
        for k in keys(&mine[part]) {
            assert!(theirs.contains(&k), "{part}.{k} is not in Apple's app");
        }
    }
    for (name, rel) in mine["relationships"].as_object().unwrap() {
        assert_eq!(
            keys(&rel["links"]),
            keys(&apples["relationships"][name]["links"]),
            "{name}"
        );
    }
    for (k, v) in apples["attributes"].as_object().unwrap() {
        if v.is_null() {
            assert!(mine["attributes"][k].is_null(), "Apple sends {k}: null");
        }
    }
}

/// Item 7: one odd resource must not abort a command. Apple's app as
/// codemagic recorded it, once without `attributes` (a sparse fieldset that
/// names none) and once with `attributes: null`, beside the whole one; and
/// Apple's example review without its attributes.
#[test]
fn a_resource_without_attributes_is_listed_not_fatal() {
    let (Some(list), Some(reviews)) = (real::json(CODEMAGIC_LIST), real::json(REVIEWS)) else {
        return;
    };
    let mut bare = list["data"][0].clone();
    bare.as_object_mut().unwrap().remove("attributes");
    bare["id"] = json!("1");
    let mut null = list["data"][0].clone();
    null["attributes"] = Value::Null;
    null["id"] = json!("2");
    let mut doc = list.clone();
    doc["data"].as_array_mut().unwrap().extend([bare, null]);
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::json(&doc), 1);
    let v = w.cmd(&["apps", "--json"]).run().success().json();
    assert_eq!(v[0]["name"], "Banaan Codemagic");
    assert_eq!(
        v[1],
        json!({"id": "1", "name": "", "bundle_id": "", "sku": ""})
    );
    assert_eq!(
        v[2],
        json!({"id": "2", "name": "", "bundle_id": "", "sku": ""})
    );
    let mut page = on_standin(&w, &reviews);
    page["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("attributes");
    page["links"].as_object_mut().unwrap().remove("next");
    w.server.fault(
        &format!("/v1/apps/{}/customerReviews", seed::NOTES_APP_ID),
        Fault::json(&page),
        1,
    );
    let rows = w
        .cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(rows[0]["id"], "00000028-b08c-0014-729e-fbd500000000");
    assert!(rows[0]["rating"].is_null() && rows[0]["created_date"].is_null());
}
