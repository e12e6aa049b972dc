//! Floating point: the n-body simulation of the Computer Language Benchmarks
//! Game (the Sun and the four Jovian planets, symplectic Euler steps).

use core::f64::consts::PI;

const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;

#[derive(Clone, Copy)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

fn bodies() -> [Body; 5] {
    let planet = |pos: [f64; 3], vel: [f64; 3], mass: f64| Body {
        pos,
        vel: [
            vel[0] * DAYS_PER_YEAR,
            vel[1] * DAYS_PER_YEAR,
            vel[2] * DAYS_PER_YEAR,
        ],
        mass: mass * SOLAR_MASS,
    };
    [
        planet([0.0; 3], [0.0; 3], 1.0),
        // Jupiter
        planet(
            [
                4.841_431_442_464_72,
                -1.160_320_044_027_428_4,
                -0.103_622_044_471_123_1,
            ],
            [
                0.001_660_076_642_744_037,
                0.007_699_011_184_197_404,
                -0.000_069_046_001_209_153_56,
            ],
            0.000_954_791_938_424_326_6,
        ),
        // Saturn
        planet(
            [
                8.343_366_718_244_58,
                4.124_798_564_124_305,
                -0.403_523_417_114_321_4,
            ],
            [
                -0.002_767_425_107_268_624,
                0.004_998_528_012_349_172,
                0.000_023_041_729_757_376_39,
            ],
            0.000_285_885_980_666_130_8,
        ),
        // Uranus
        planet(
            [
                12.894_369_562_139_13,
                -15.111_151_401_698_63,
                -0.223_307_578_892_655_7,
            ],
            [
                0.002_964_601_375_647_616,
                0.002_378_471_739_594_809_5,
                -0.000_029_658_956_854_023_76,
            ],
            0.000_043_662_440_433_515_64,
        ),
        // Neptune
        planet(
            [
                15.379_697_114_850_17,
                -25.919_314_609_987_96,
                0.179_258_772_950_371_2,
            ],
            [
                0.002_680_677_724_903_893,
                0.001_628_241_700_382_423,
                -0.000_095_159_225_451_971_59,
            ],
            0.000_051_513_890_204_661_46,
        ),
    ]
}

fn offset_momentum(b: &mut [Body; 5]) {
    let mut p = [0.0f64; 3];
    for body in b.iter() {
        for (pk, vk) in p.iter_mut().zip(body.vel) {
            *pk += vk * body.mass;
        }
    }
    for (vk, pk) in b[0].vel.iter_mut().zip(p) {
        *vk = -pk / SOLAR_MASS;
    }
}

fn energy(b: &[Body; 5]) -> f64 {
    let mut e = 0.0;
    for i in 0..b.len() {
        let v = b[i].vel;
        e += 0.5 * b[i].mass * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for j in i + 1..b.len() {
            let d = [
                b[i].pos[0] - b[j].pos[0],
                b[i].pos[1] - b[j].pos[1],
                b[i].pos[2] - b[j].pos[2],
            ];
            e -= b[i].mass * b[j].mass / libm::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        }
    }
    e
}

fn advance(b: &mut [Body; 5], dt: f64) {
    for i in 0..b.len() {
        for j in i + 1..b.len() {
            let d = [
                b[i].pos[0] - b[j].pos[0],
                b[i].pos[1] - b[j].pos[1],
                b[i].pos[2] - b[j].pos[2],
            ];
            let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let mag = dt / (d2 * libm::sqrt(d2));
            let (mi, mj) = (b[i].mass * mag, b[j].mass * mag);
            for (k, dk) in d.iter().enumerate() {
                b[i].vel[k] -= dk * mj;
                b[j].vel[k] += dk * mi;
            }
        }
    }
    for body in b.iter_mut() {
        for k in 0..3 {
            body.pos[k] += dt * body.vel[k];
        }
    }
}

/// `n` steps of 0.01 days; the checksum is the bits of the energy before and
/// after.
pub fn run(n: u32) -> u64 {
    let mut b = bodies();
    offset_momentum(&mut b);
    let before = energy(&b);
    for _ in 0..n {
        advance(&mut b, 0.01);
    }
    let after = energy(&b);
    before.to_bits().rotate_left(17) ^ after.to_bits()
}
