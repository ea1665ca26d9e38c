//! The check digits of Turkish identifiers: the national id (TCKN) and the tax number (VKN).
//! The validators of this module check them; the sample generator makes valid ids with them.

/// Fills d10 and d11 of a TCKN from its first nine digits.
pub(crate) fn tckn_check_digits(d: &mut [u8; 11]) {
    let odd: i32 = [0, 2, 4, 6, 8].iter().map(|&i| i32::from(d[i])).sum();
    let even: i32 = [1, 3, 5, 7].iter().map(|&i| i32::from(d[i])).sum();
    d[9] = (7 * odd - even).rem_euclid(10) as u8;
    d[10] = (d[..10].iter().map(|&x| u32::from(x)).sum::<u32>() % 10) as u8;
}

/// The VKN check digit: for position i = 1..9, t = (d_i + 10 − i) mod 10, then v = 9 when
/// t = 9, else t·2^(10−i) mod 9; the check digit is (10 − Σv mod 10) mod 10.
pub(crate) fn vkn_check_digit(first9: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &digit) in first9.iter().enumerate() {
        let pos = i as u32 + 1;
        let t = (u32::from(digit) + 10 - pos) % 10;
        sum += if t == 9 { 9 } else { (t << (10 - pos)) % 9 };
    }
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tckn_check_digits_match_a_published_valid_number() {
        // 10000000146 is the widely used valid test TCKN.
        let mut d = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
        tckn_check_digits(&mut d);
        assert_eq!(d[9..], [4, 6]);
    }

    #[test]
    fn vkn_check_digit_worked_by_hand() {
        // "1234567890" is the well-known dummy that passes the check.
        // 123456789: t = (1+9)%10=0, (2+8)=0, ... every t is 0, so every v is 0 and the
        // check digit is (10 - 0) % 10 = 0.
        assert_eq!(vkn_check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), 0);
        // 000000001: t9 = (1 + 1) % 10 = 2, v = 2·2^1 % 9 = 4; other positions: t_i = 10 - i,
        // i=1: t=9 -> 9; i=2: 8·2^8=2048 %9 = 5; i=3: 7·128=896 %9=5; i=4: 6·64=384 %9=6;
        // i=5: 5·32=160 %9=7; i=6: 4·16=64 %9=1; i=7: 3·8=24 %9=6; i=8: 2·4=8.
        // Σ = 9+5+5+6+7+1+6+8+4 = 51 → check = (10 - 1) % 10 = 9.
        assert_eq!(vkn_check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 1]), 9);
    }
}
