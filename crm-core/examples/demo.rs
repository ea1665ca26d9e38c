//! `make demo`: a sample Turkish SME customer base, summarised, and one customer's 360° view.

use crm_core::book::{
    Attribute, CustomerBook, CustomerView, Lookup, Segmentation, SegmentationConfig, ViewOptions,
};
use crm_core::model::{Channel, EventKind, RootCause};
use crm_core::sample::SampleConfig;
use crm_core::segment::{AbcClass, RfmSegmentMap};

fn main() -> Result<(), crm_core::CrmError> {
    let customers = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let config = SampleConfig::new(customers).seed(42);
    let as_of = config.end();
    let (mut book, duplicates) = config.build_book()?;

    println!("crm demo: a generated Turkish SME customer base (seed 42), as of {as_of}\n");
    summary(&book, duplicates.len(), as_of);
    let segmentation = book.analyse(as_of, &SegmentationConfig::default())?;
    segments(&book, &segmentation)?;
    let id = find_caller(&book, pick_customer(&book, as_of)?)?;
    let view = book.view(id, &ViewOptions::as_of(as_of).page(0, 12))?;
    print_view(&view);
    audience(&book, as_of)?;
    data_quality(&mut book, &duplicates, as_of)?;
    campaign(customers)?;
    Ok(())
}

/// A campaign with a control group on the same sample, +8 points planted in Marmara and Ege:
/// the measured uplift per region with its 95 % interval.
fn campaign(customers: usize) -> Result<(), crm_core::CrmError> {
    use crm_core::book::{CampaignReportOptions, GroupBy};
    use crm_core::sample::PlantedCampaign;
    let planted = PlantedCampaign::marmara_ege("bahar-25");
    let config = SampleConfig::new(customers)
        .seed(42)
        .campaigns(vec![planted.clone()]);
    let (book, _) = config.build_book()?;
    let options = CampaignReportOptions {
        by: vec![GroupBy::Region],
        ..CampaignReportOptions::at(planted.report_at(config.end()))
    };
    let r = book.campaign_report("bahar-25", &options)?;
    println!(
        "\nCampaign bahar-25: {} targeted, {} held out, cost {}, ROI {}",
        thousands(r.overall.treated.customers as i64),
        thousands(r.overall.control.customers as i64),
        money(r.overall.cost),
        r.overall.roi.map_or("-".into(), |x| format!("{x:.2}"))
    );
    for g in r.groups.iter().flat_map(|g| &g.groups) {
        if let Some(u) = g.comparison.conversion_uplift {
            println!(
                "  {:<22} uplift {:+.3}  95% CI ({:+.3}, {:+.3})  planted {:+.2}",
                g.key,
                u.difference,
                u.lower,
                u.upper,
                planted.uplift_in(Some(&g.key))
            );
        }
    }
    Ok(())
}

/// The agent types the caller's number as heard (`0 (5xx) xxx xx xx`); the lookup finds
/// the customer whose 360° view follows.
fn find_caller(book: &CustomerBook, id: u64) -> Result<u64, crm_core::CrmError> {
    let phone = book.customer(id).and_then(|c| c.phones.first());
    let digits: String = phone.map_or(String::new(), |p| {
        p.chars().filter(char::is_ascii_digit).collect()
    });
    let Some(n) = digits
        .get(digits.len().saturating_sub(10)..)
        .filter(|n| n.len() == 10)
    else {
        return Ok(id);
    };
    let typed = format!("0 ({}) {} {} {}", &n[..3], &n[3..6], &n[6..8], &n[8..]);
    let found = book.find(&Lookup::phone(&typed))?;
    let ids: Vec<_> = found.iter().map(|m| (m.customer_id, m.score)).collect();
    println!("Caller lookup: phone {typed:?} -> (customer, score) {ids:?}\n");
    Ok(found.first().map_or(id, |m| m.customer_id))
}

/// An e-mail audience with consent and a 7-day frequency cap: who is in, and why the rest
/// are out; then the consent report.
fn audience(
    book: &CustomerBook,
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<(), crm_core::CrmError> {
    use crm_core::audience::{Audience, SelectOptions, Suppression};
    let rule = r#"{"all": [{"field": "tier", "in": ["Platinum", "Gold"]},
                           {"not": {"field": "recency_days", "gt": 180}}]}"#;
    let options = SelectOptions {
        at: as_of,
        channel: Some(Channel::Email),
        suppression: Suppression {
            open_complaints: true,
            contacted_within_days: Some(7),
            ..Suppression::default()
        },
        segmentation: None,
    };
    let s = book.select_audience(&Audience::from_json(rule)?, &options)?;
    println!("\nAudience: Platinum or Gold, bought within 180 days, by e-mail (opt-in required)");
    for (reason, n) in &s.counts {
        println!("  {:<18}{:>8}", reason.as_str(), thousands(*n as i64));
    }
    for n in s.nodes.iter().filter(|n| n.path != "$") {
        println!(
            "  decided at {:<10}{:>8}  {}",
            n.path,
            thousands(n.decided as i64),
            n.text
        );
    }
    let report = book.consent_report(as_of)?;
    let shares: Vec<String> = report
        .channels
        .iter()
        .map(|c| format!("{} {:.0}%", c.channel, 100.0 * c.share))
        .collect();
    println!("  opted in: {}", shares.join(", "));
    Ok(())
}

/// Fill rates and invented values, then duplicates against the injected truth, merged.
fn data_quality(
    book: &mut CustomerBook,
    truth: &[crm_core::sample::DuplicateTruth],
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<(), crm_core::CrmError> {
    let r = book.quality_report(as_of.date_naive());
    println!("\nData quality");
    println!(
        "  completeness {:.1}% on average; {} invented values, {} invalid",
        100.0 * r.mean_completeness,
        r.invented.len(),
        r.invalid.len()
    );
    for (reason, n) in &r.invented_by_reason {
        println!("    {n:>5}  {reason}");
    }
    let clusters = book.find_duplicates(&crm_core::quality::DedupConfig::default())?;
    let found = crm_core::quality::pairs_within(clusters.iter().map(Vec::as_slice));
    let (precision, recall) =
        crm_core::quality::precision_recall(&found, &crm_core::sample::duplicate_pairs(truth));
    let events = book.event_count();
    let (merged, skipped) = book.merge_duplicates(
        &clusters,
        &crm_core::quality::GoldenRules::default(),
        as_of.date_naive(),
        as_of,
    )?;
    println!(
        "  duplicates: {} clusters, precision {precision:.4}, recall {recall:.4}; {} merged ({} skipped), events {} → {}",
        clusters.len(),
        merged.len(),
        skipped.len(),
        thousands(events as i64),
        thousands(book.event_count() as i64)
    );
    Ok(())
}

fn summary(book: &CustomerBook, duplicates: usize, as_of: chrono::DateTime<chrono::Utc>) {
    let stats = book.stats();
    println!(
        "Customers   {:>10}  ({} distinct + {} injected duplicates; {} organisations)",
        thousands(stats.customers as i64),
        thousands((stats.customers - duplicates) as i64),
        thousands(duplicates as i64),
        thousands(stats.organisations as i64),
    );
    println!("Events      {:>10}", thousands(stats.events as i64));
    for (kind, n) in &stats.events_by_type {
        println!("  {kind:<26}{:>10}", thousands(*n as i64));
    }
    println!("Events per channel");
    for (channel, n) in &stats.events_by_channel {
        println!("  {channel:<26}{:>10}", thousands(*n as i64));
    }
    let customer_error = book
        .events()
        .filter(|e| matches!(&e.kind, EventKind::ComplaintResolved(r) if r.root_cause == RootCause::CustomerError))
        .count();
    let resolved = stats
        .events_by_type
        .get("complaint_resolved")
        .copied()
        .unwrap_or(0);
    println!("Revenue     {:>16} TRY net", money(stats.net_revenue));
    println!(
        "Complaints  {:>10} opened, {} still open; of {} resolutions {:.0}% were customer error \
         or unrealistic expectations",
        thousands(stats.complaints as i64),
        thousands(stats.complaints_open as i64),
        thousands(resolved as i64),
        100.0 * customer_error as f64 / resolved.max(1) as f64
    );
    println!("Incidents   {:>10}\n", stats.incidents);

    let features = book.features(as_of);
    println!(
        "Feature export (one column per feature; the first 5 of {} rows)",
        features.len()
    );
    println!(
        "  {:>9} {:>9} {:>5} {:>14} {:>7} {:>9} {:>5} {:>10}",
        "customer", "recency", "freq", "monetary TRY", "tenure", "per month", "refs", "complaints"
    );
    for r in 0..features.len().min(5) {
        println!(
            "  {:>9} {:>9.1} {:>5} {:>14} {:>7.0} {:>9.2} {:>5} {:>10}",
            features.customer_id[r],
            features.recency_days[r],
            features.frequency[r],
            money(features.monetary[r]),
            features.tenure_days[r],
            features.intensity[r],
            features.referrals[r],
            features.complaints_total[r],
        );
    }
    println!();
}

fn segments(book: &CustomerBook, s: &Segmentation) -> Result<(), crm_core::CrmError> {
    let model = SegmentationConfig::default().value;
    let weights: Vec<String> = model
        .keys
        .iter()
        .map(|k| format!("{} {:.2}", k.key, k.weight))
        .collect();
    println!(
        "Value keys  {} ({:?} normalisation)",
        weights.join(", "),
        model.normalization
    );
    let mut best: Vec<usize> = (0..s.scores.score.len()).collect();
    best.sort_by(|&a, &b| s.scores.score[b].total_cmp(&s.scores.score[a]));
    for &row in best.iter().take(3) {
        let why: Vec<String> = s
            .scores
            .explain(row)
            .into_iter()
            .filter(|(_, c)| *c >= 0.05)
            .map(|(k, c)| format!("{k} {c:.1}"))
            .collect();
        println!(
            "  customer {} scores {:.1} = {}",
            s.features.customer_id[row],
            s.scores.score[row],
            why.join(" + ")
        );
    }
    println!("Customer pyramid (tiers by value score; revenue = net purchases)");
    println!(
        "  {:<10} {:>9} {:>9} {:>15} {:>9}",
        "tier", "customers", "share", "revenue TRY", "rev share"
    );
    for t in &s.pyramid.summary {
        println!(
            "  {:<10} {:>9} {:>8.1}% {:>15} {:>8.1}%",
            t.name,
            thousands(t.customers as i64),
            100.0 * t.customer_share,
            money(t.revenue.unwrap_or(0.0).round() as i64),
            100.0 * t.revenue_share.unwrap_or(0.0)
        );
    }
    let count = |class| s.abc.iter().filter(|&&c| c == class).count() as i64;
    println!(
        "Pareto      top 20% of customers bring {:.1}% of revenue; Gini {:.3}; ABC: {} A, {} B, {} C",
        100.0 * s.pareto.top_20_share,
        s.pareto.gini,
        thousands(count(AbcClass::A)),
        thousands(count(AbcClass::B)),
        thousands(count(AbcClass::C))
    );
    println!("RFM segments (5 bins; customers with a purchase) and what to do");
    let mut counts = vec![0i64; s.rfm.segment_names.len()];
    for seg in s.rfm.segment.iter().flatten() {
        counts[usize::from(*seg)] += 1;
    }
    for (name, n) in s.rfm.segment_names.iter().zip(&counts) {
        let strategy = s
            .strategies
            .for_segment(name)
            .map_or("", |st| st.label.as_str());
        println!("  {name:<20} {:>7}  {strategy}", thousands(*n));
    }
    let published = RfmSegmentMap::published().report();
    let shadowed: Vec<String> = published
        .shadowed
        .iter()
        .map(|r| format!("{} (by {})", r.name, r.shadowed_by.join(", ")))
        .collect();
    println!(
        "  the commonly published rule order could never match: {}",
        shadowed.join("; ")
    );
    if let Some(matrix) = book.segment_matrix(&[Attribute::Region])? {
        println!("Segment matrix: tier × region (the Platinum row)");
        for cell in matrix.cells.iter().filter(|c| c.tier == "Platinum") {
            println!(
                "  {:<10} {:<18} {:>5} customers, mean score {:>5.1}, revenue {:>14} TRY",
                cell.tier,
                cell.attributes[0],
                cell.customers,
                cell.mean_value,
                money(cell.revenue.unwrap_or(0.0).round() as i64)
            );
        }
    }
    println!();
    Ok(())
}

/// A customer worth showing: touched by an incident, with a complaint and many events.
fn pick_customer(
    book: &CustomerBook,
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<u64, crm_core::CrmError> {
    let mut best = (0usize, 0u64);
    for c in book.customers() {
        let v = book.view(c.id, &ViewOptions::as_of(as_of).page(0, 0))?;
        let score = 1000 * usize::from(!v.incidents.is_empty())
            + 100 * v.complaints.total as usize
            + v.timeline.total;
        if score > best.0 {
            best = (score, c.id);
        }
    }
    Ok(best.1)
}

fn print_view(v: &CustomerView) {
    let p = &v.profile;
    println!("360° view of customer {} as of {}", p.id, v.as_of);
    println!("  {} ({:?})", p.display_name(), p.kind);
    let place = [
        p.address.district.as_deref(),
        p.address.city.as_deref(),
        p.region.as_deref(),
    ];
    let place: Vec<&str> = place.into_iter().flatten().collect();
    println!("  {}", place.join(", "));
    println!(
        "  phone {}  e-mail {}",
        p.phones.first().map_or("-", String::as_str),
        p.emails.first().map_or("-", String::as_str)
    );
    if let Some(at) = p.acquired_at {
        let via = p.acquisition_channel.map_or("-", |c| c.as_str());
        println!("  customer since {} via {via}", at.date_naive());
    }
    println!(
        "  e-mail marketing: {}",
        match p.consent_at(Channel::Email, v.as_of) {
            Some(true) => "allowed",
            Some(false) => "withdrawn",
            None => "never asked",
        }
    );
    let f = &v.purchases;
    println!(
        "Purchases   {} for {} TRY net ({} refunds), average basket {} TRY",
        f.count,
        money(f.net),
        f.refunds,
        money(f.average_basket.unwrap_or(0.0).round() as i64)
    );
    if let (Some(first), Some(last)) = (f.first, f.last) {
        println!("  first {}  last {}", first.date_naive(), last.date_naive());
    }
    for c in f.categories.iter().take(3) {
        println!(
            "  {:<14} {:>3} purchases {:>14} TRY",
            c.category,
            c.purchases,
            money(c.amount)
        );
    }
    println!("Channels");
    for c in &v.channels {
        println!(
            "  {:<12} in {:>2}  out {:>2}  purchases {:>3}  last {}",
            c.channel.as_str(),
            c.inbound,
            c.outbound,
            c.purchases,
            c.last.date_naive()
        );
    }
    if let Some(a) = &v.analytics {
        println!(
            "Value       score {:.1}, tier {}, ABC {:?}, RFM {} {}",
            a.score,
            a.tier,
            a.abc,
            a.rfm_score,
            a.segment.as_deref().unwrap_or("(no purchase)")
        );
        for st in [&a.tier_strategy, &a.segment_strategy]
            .into_iter()
            .flatten()
        {
            println!("  strategy: {} — {}", st.label, st.actions.join(", "));
        }
    }
    println!(
        "Referrals   made {}, referred by {}",
        v.referrals.made.len(),
        v.referrals
            .referred_by
            .map_or("-".to_owned(), |r| r.to_string())
    );
    println!(
        "Complaints  {} in all, {} open",
        v.complaints.total,
        v.complaints.open.len()
    );
    for c in v.complaints.open.iter().chain(&v.complaints.settled) {
        println!(
            "  #{} {:?} {:?} opened {} {}",
            c.complaint_id,
            c.priority,
            c.status,
            c.opened_at.format("%Y-%m-%d %H:%M"),
            c.category.as_deref().unwrap_or("")
        );
    }
    for i in &v.incidents {
        println!(
            "Incident    #{} {} {}: {}",
            i.id,
            i.start.format("%Y-%m-%d %H:%M"),
            i.location.as_deref().unwrap_or(""),
            i.description
        );
    }
    println!(
        "Timeline    newest first, {} of {} events",
        v.timeline.items.len(),
        v.timeline.total
    );
    for item in &v.timeline.items {
        let e = &item.event;
        let detail = match &e.kind {
            EventKind::Purchase(p) => format!(
                "{} TRY {}",
                money(p.amount),
                p.category.as_deref().unwrap_or("")
            ),
            EventKind::Refund(r) => format!("-{} TRY", money(r.amount)),
            EventKind::Interaction(i) => format!(
                "{:?}: {} → {}",
                i.direction,
                i.subject.as_deref().unwrap_or(""),
                i.outcome.as_deref().unwrap_or("")
            ),
            EventKind::Referral(r) => format!("referred customer {}", r.referred),
            other => other
                .complaint_id()
                .map_or(String::new(), |id| format!("complaint #{id}")),
        };
        let incident = if item.incident_ids.is_empty() {
            String::new()
        } else {
            format!("  ⚠ during incident {:?}", item.incident_ids)
        };
        println!(
            "  {}  {:<12} {:<26} {detail}{incident}",
            e.at.format("%Y-%m-%d %H:%M"),
            e.channel().map_or("", |c| c.as_str()),
            e.kind.type_name()
        );
    }
}

/// Minor units as "1,234.56".
fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", thousands((m / 100) as i64), m % 100)
}

fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
