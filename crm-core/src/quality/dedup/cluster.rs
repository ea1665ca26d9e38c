//! Clusters from matched pairs: connected components, strongest pairs first, capped in size
//! so that a chain of pairs cannot join unrelated records.

use rustc_hash::FxHashMap;

use super::MatchPair;

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// A cluster id per row (the smallest row of its cluster). A pair that would make a cluster
/// larger than `max_cluster` is not followed.
pub(super) fn capped_clusters(n: usize, pairs: &[MatchPair], max_cluster: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&x, &y| pairs[y].probability.total_cmp(&pairs[x].probability));
    let mut parent: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    for i in order {
        let (ra, rb) = (
            find(&mut parent, pairs[i].left),
            find(&mut parent, pairs[i].right),
        );
        if ra != rb && size[ra] + size[rb] <= max_cluster {
            let (big, small) = if size[ra] >= size[rb] {
                (ra, rb)
            } else {
                (rb, ra)
            };
            parent[small] = big;
            size[big] += size[small];
        }
    }
    let mut smallest: FxHashMap<usize, usize> = FxHashMap::default();
    for row in 0..n {
        let root = find(&mut parent, row);
        smallest.entry(root).or_insert(row);
    }
    (0..n)
        .map(|row| smallest[&find(&mut parent, row)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(left: usize, right: usize, probability: f64) -> MatchPair {
        MatchPair {
            left,
            right,
            probability,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn a_chain_stops_at_the_cap_and_the_weakest_link_gives() {
        // 0–1–2–3 chained; with a cap of 3 the weakest pair (2, 3) is not followed.
        let pairs = [pair(0, 1, 0.99), pair(2, 3, 0.91), pair(1, 2, 0.95)];
        assert_eq!(capped_clusters(5, &pairs, 3), vec![0, 0, 0, 3, 4]);
        assert_eq!(capped_clusters(5, &pairs, 20), vec![0, 0, 0, 0, 4]);
    }
}
