//! A Barnes–Hut tree (Barnes & Hut 1986) over the points of a map in one
//! to three dimensions, for t-SNE's repulsion between every pair of rows in
//! about n log n steps instead of n².
//!
//! Each cell is a cube that splits at its centre into 2^d children and
//! keeps the count and the centre of mass of its points. A cell seen from
//! a point at distance r, with width w < θ·r, pushes the point as if all
//! its points sat at their centre of mass. Points at one place (or closer
//! than [`MAX_DEPTH`] halvings can part) share a leaf.

/// How often a cell may halve before its points share a leaf.
pub const MAX_DEPTH: usize = 48;
const NONE: u32 = u32::MAX;

pub struct SpaceTree {
    dims: usize,
    nodes: Vec<Node>,
    /// The leaf each point ended in.
    leaf_of: Vec<u32>,
    /// The next point in the same leaf (a leaf's points are a list).
    next: Vec<u32>,
}

#[derive(Clone)]
struct Node {
    centre: [f64; 3],
    half: f64,
    /// The sum of the points' coordinates while building, their mean after.
    mass: [f64; 3],
    count: u32,
    /// The first of the 2^d children, which lie next to each other (NONE
    /// for a leaf).
    children: u32,
    /// A leaf's first point (NONE while empty); the rest follow in `next`.
    point: u32,
    depth: u32,
}

impl Node {
    fn new(centre: [f64; 3], half: f64, depth: u32) -> Node {
        Node {
            centre,
            half,
            mass: [0.0; 3],
            count: 0,
            children: NONE,
            point: NONE,
            depth,
        }
    }
}

/// The forces of the far points on one point, summed over the tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repulsion {
    /// Σ q over the other points, q = 1 / (1 + r²).
    pub z: f64,
    /// Σ q² (y_i − y_j), the unnormalised repulsion.
    pub force: [f64; 3],
}

impl SpaceTree {
    /// The tree of the rows of `y` (`dims` values each, 1–3), inserted in
    /// row order. Every value must be finite.
    pub fn new(y: &[f64], dims: usize) -> SpaceTree {
        let dims = dims.clamp(1, 3);
        let n = y.len() / dims;
        let (mut low, mut high) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for p in y.chunks_exact(dims) {
            for d in 0..dims {
                low[d] = low[d].min(p[d]);
                high[d] = high[d].max(p[d]);
            }
        }
        let mut centre = [0.0; 3];
        let mut half: f64 = 0.0;
        for d in 0..dims {
            centre[d] = (low[d] + high[d]) / 2.0;
            half = half.max((high[d] - low[d]) / 2.0);
        }
        // A margin so that the largest point falls inside.
        let half = half * (1.0 + 1e-9) + 1e-12;
        let mut tree = SpaceTree {
            dims,
            nodes: vec![Node::new(centre, half, 0)],
            leaf_of: vec![NONE; n],
            next: vec![NONE; n],
        };
        for (i, p) in y.chunks_exact(dims).enumerate() {
            tree.insert(i as u32, p, y);
        }
        for node in &mut tree.nodes {
            if node.count > 0 {
                node.mass.iter_mut().for_each(|m| *m /= node.count as f64);
            }
        }
        tree
    }

    fn child_of(&self, node: usize, p: &[f64]) -> usize {
        let n = &self.nodes[node];
        let mut at = 0;
        for (d, &v) in p.iter().enumerate().take(self.dims) {
            if v >= n.centre[d] {
                at |= 1 << d;
            }
        }
        n.children as usize + at
    }

    fn insert(&mut self, i: u32, p: &[f64], y: &[f64]) {
        let dims = self.dims;
        let mut at = 0;
        loop {
            let node = &mut self.nodes[at];
            node.count += 1;
            for (m, v) in node.mass.iter_mut().zip(p).take(dims) {
                *m += v;
            }
            if node.children != NONE {
                at = self.child_of(at, p);
                continue;
            }
            if node.point == NONE {
                node.point = i;
                self.leaf_of[i as usize] = at as u32;
                return;
            }
            let q = node.point as usize;
            let other = &y[q * dims..(q + 1) * dims];
            if node.depth as usize >= MAX_DEPTH || other == p {
                // The point joins the leaf's list.
                self.next[i as usize] = node.point;
                node.point = i;
                self.leaf_of[i as usize] = at as u32;
                return;
            }
            // Split the leaf: its point (alone, or with its equals) moves
            // to a child, and `p` goes on down.
            let (centre, half, depth, count) = (node.centre, node.half, node.depth, node.count - 1);
            let first = self.nodes.len() as u32;
            let node = &mut self.nodes[at];
            node.children = first;
            node.point = NONE;
            for c in 0..1usize << dims {
                let mut middle = centre;
                for (d, m) in middle.iter_mut().enumerate().take(dims) {
                    *m += if c & (1 << d) != 0 {
                        half / 2.0
                    } else {
                        -half / 2.0
                    };
                }
                self.nodes.push(Node::new(middle, half / 2.0, depth + 1));
            }
            let child = self.child_of(at, other);
            let moved = &mut self.nodes[child];
            moved.count = count;
            moved.point = q as u32;
            for (m, v) in moved.mass.iter_mut().zip(other).take(dims) {
                *m = v * count as f64;
            }
            let mut j = q as u32;
            while j != NONE {
                self.leaf_of[j as usize] = child as u32;
                j = self.next[j as usize];
            }
            at = self.child_of(at, p);
        }
    }

    /// The repulsion on point `i` at `p` from all other points, with cells
    /// narrower than `theta` times their distance taken as one.
    pub fn repulsion(&self, i: usize, p: &[f64], theta: f64, stack: &mut Vec<u32>) -> Repulsion {
        let dims = self.dims;
        let mut out = Repulsion {
            z: 0.0,
            force: [0.0; 3],
        };
        stack.clear();
        stack.push(0);
        while let Some(at) = stack.pop() {
            let node = &self.nodes[at as usize];
            if node.count == 0 {
                continue;
            }
            let mut count = node.count as f64;
            let mut mass = node.mass;
            if at == self.leaf_of[i] {
                // The point's own leaf: the others in it, without it.
                if node.count == 1 {
                    continue;
                }
                for d in 0..dims {
                    mass[d] = (mass[d] * count - p[d]) / (count - 1.0);
                }
                count -= 1.0;
            }
            let mut diff = [0.0; 3];
            let mut r2 = 0.0;
            for d in 0..dims {
                diff[d] = p[d] - mass[d];
                r2 += diff[d] * diff[d];
            }
            let width = 2.0 * node.half;
            if node.children == NONE || width * width < theta * theta * r2 {
                let q = 1.0 / (1.0 + r2);
                out.z += count * q;
                let pull = count * q * q;
                for (f, v) in out.force.iter_mut().zip(diff).take(dims) {
                    *f += pull * v;
                }
            } else {
                // Children in reverse, so that they are visited in order.
                let first = node.children;
                stack.extend((0..1u32 << dims).rev().map(|c| first + c));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::rng::Rng;

    /// The repulsion summed over every other point.
    fn exact(y: &[f64], dims: usize, i: usize) -> Repulsion {
        let mut out = Repulsion {
            z: 0.0,
            force: [0.0; 3],
        };
        let p = &y[i * dims..(i + 1) * dims];
        for (j, o) in y.chunks_exact(dims).enumerate() {
            if j == i {
                continue;
            }
            let r2: f64 = p.iter().zip(o).map(|(a, b)| (a - b) * (a - b)).sum();
            let q = 1.0 / (1.0 + r2);
            out.z += q;
            for d in 0..dims {
                out.force[d] += q * q * (p[d] - o[d]);
            }
        }
        out
    }

    #[test]
    fn theta_zero_is_the_exact_sum_and_theta_half_is_close() {
        for dims in 1..=3 {
            let mut rng = Rng::new(dims as u64);
            let mut y: Vec<f64> = (0..300 * dims).map(|_| rng.normal() * 5.0).collect();
            // Some points at one place, and one far away.
            for d in 0..dims {
                y[10 * dims + d] = y[11 * dims + d];
                y[12 * dims + d] = y[11 * dims + d];
                y[13 * dims + d] = 1e6;
            }
            let tree = SpaceTree::new(&y, dims);
            let mut stack = Vec::new();
            for i in [0, 10, 11, 13, 299] {
                let p = &y[i * dims..(i + 1) * dims];
                let want = exact(&y, dims, i);
                let got = tree.repulsion(i, p, 0.0, &mut stack);
                assert!((got.z - want.z).abs() <= 1e-9 * want.z, "{dims} {i}");
                for d in 0..dims {
                    assert!((got.force[d] - want.force[d]).abs() <= 1e-9 * want.z.max(1.0));
                }
                let near = tree.repulsion(i, p, 0.5, &mut stack);
                assert!(
                    (near.z - want.z).abs() <= 0.02 * want.z,
                    "{dims} {i}: {near:?} {want:?}"
                );
                // The node counts hold every point once.
                assert_eq!(tree.nodes[0].count, 300);
            }
        }
    }

    #[test]
    fn points_at_one_place_share_a_leaf() {
        let y = vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        let tree = SpaceTree::new(&y, 2);
        assert_eq!(tree.nodes.len(), 1);
        let r = tree.repulsion(0, &y[0..2], 0.5, &mut Vec::new());
        assert_eq!(r.z, 2.0);
        assert_eq!(r.force, [0.0; 3]);
    }
}
