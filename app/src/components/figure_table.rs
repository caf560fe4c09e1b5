use leptos::prelude::*;
use qalf_shared::report::chart::{self, Layout, Mark};
use qalf_shared::report::drill::Drill;
use qalf_shared::report::{Cell, Table};

/// A table of figures (R-REP-6): its chart (an SVG drawn from the same
/// figures, named for screen readers by the table's summary), the table
/// itself, and the link to download it as CSV. Counts with records behind
/// them link to those records.
#[component]
pub fn FigureTable(
    table: Table,
    /// Where the CSV downloads from.
    csv: String,
    /// Where a count's drill-down opens (given the drill, URL-encoded).
    #[prop(into)]
    drill_href: Callback<Drill, String>,
) -> impl IntoView {
    let id = format!("table-{}", table.id);
    let chart = chart::layout(&table).map(|layout| {
        view! { <Chart layout title=table.title.clone() summary=table.summary.clone() id=id.clone() /> }
    });
    let head = table
        .columns
        .iter()
        .map(|c| view! { <th scope="col">{c.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let shown = match cell {
                        Cell::Count {
                            n,
                            drill: Some(drill),
                        } => view! {
                            <a href=drill_href.run(drill.clone()) class="figure-link">{n.to_string()}</a>
                        }
                        .into_any(),
                        other => other.display().into_any(),
                    };
                    let numeric = !matches!(cell, Cell::Text { .. });
                    if i == 0 {
                        view! { <th scope="row">{shown}</th> }.into_any()
                    } else {
                        view! { <td class:numeric=numeric>{shown}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let empty = table.rows.is_empty();
    view! {
        <section class="figure" aria-labelledby=format!("{id}-title") data-table=table.id.clone()>
            <h3 id=format!("{id}-title")>{table.title.clone()}</h3>
            <p class="figure__summary">{table.summary.clone()}</p>
            {chart}
            {if empty {
                view! { <p>"Nothing to count in this period."</p> }.into_any()
            } else {
                // A wide table scrolls: keyboard users reach it too.
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby=format!("{id}-title")>
                        <table class="table">
                            <caption class="visually-hidden">{table.title.clone()}</caption>
                            <thead><tr>{head}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <p class="no-print">
                <a href=csv.clone() download="" class="button button--secondary">
                    {format!("Download “{}” as CSV", table.title)}
                </a>
            </p>
        </section>
    }
}

/// An SVG chart from a computed layout: bars or lines with an axis and a
/// legend; every mark has a title naming its figure.
#[component]
fn Chart(layout: Layout, title: String, summary: String, id: String) -> impl IntoView {
    let Layout {
        width,
        height,
        max,
        ticks,
        marks,
        labels,
        legend,
        horizontal,
    } = layout;
    let axis = ticks
        .iter()
        .map(|t| {
            let value = if max >= 10.0 || t.value.fract() == 0.0 {
                format!("{:.0}", t.value)
            } else {
                format!("{:.1}", t.value)
            };
            if horizontal {
                view! {
                    <g class="chart__tick">
                        <line x1=t.at y1=0.0 x2=t.at y2=height - 24.0 />
                        <text x=t.at y=height - 8.0 text-anchor="middle">{value}</text>
                    </g>
                }
                .into_any()
            } else {
                view! {
                    <g class="chart__tick">
                        <line x1=44.0 y1=t.at x2=width - 40.0 y2=t.at />
                        <text x=40.0 y=t.at + 4.0 text-anchor="end">{value}</text>
                    </g>
                }
                .into_any()
            }
        })
        .collect_view();
    let names = labels
        .into_iter()
        .map(|l| {
            let anchor = if horizontal { "end" } else { "middle" };
            view! { <text class="chart__label" x=l.x y=l.y + 4.0 text-anchor=anchor>{l.text}</text> }
        })
        .collect_view();
    let drawn = marks
        .into_iter()
        .map(|m| match m {
            Mark::Bar {
                x,
                y,
                width,
                height,
                series,
                name,
                ..
            } => view! {
                <rect class=format!("chart__bar series-{series}") x=x y=y width=width.max(0.0) height=height>
                    <title>{name}</title>
                </rect>
            }
            .into_any(),
            Mark::Line { points, series } => {
                let d = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polyline class=format!("chart__line series-{series}") points=d /> }.into_any()
            }
            Mark::Point {
                x,
                y,
                series,
                name,
                ..
            } => view! {
                <circle class=format!("chart__point series-{series}") cx=x cy=y r=4.0>
                    <title>{name}</title>
                </circle>
            }
            .into_any(),
        })
        .collect_view();
    let key = legend
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            view! {
                <li><span class=format!("chart__swatch series-{i}") aria-hidden="true"></span>{name}</li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-labelledby=format!("{id}-chart-title {id}-chart-desc")
                preserveAspectRatio="xMinYMin meet"
            >
                <title id=format!("{id}-chart-title")>{title}</title>
                <desc id=format!("{id}-chart-desc")>{summary}</desc>
                {axis}
                {drawn}
                {names}
            </svg>
            <ul class="chart__legend" aria-hidden="true">{key}</ul>
        </figure>
    }
}
