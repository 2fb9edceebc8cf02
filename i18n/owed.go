package i18n

import "partnerbot/bot"

// What a partner is owed: the commission lifecycle in words. One place,
// so /mystats, the /partner card and the weekly report say it alike.
func init() {
	Add(map[string]Text{
		"owed.pending":  {"Commission pending", "Prowizja oczekująca"},
		"owed.to_pay":   {"Approved, to be paid", "Zatwierdzona, do wypłaty"},
		"owed.overpaid": {"Paid ahead of approval", "Wypłacono przed zatwierdzeniem"},
		"owed.paid":     {"Paid so far", "Wypłacono dotąd"},
		"owed.as_of":    {"commission and payouts as of %s", "prowizje i wypłaty na dzień %s"},
	})
}

// OwedFields shows a partner's commission lifecycle (all-time, as of a
// day): what is pending, what is approved and still to be paid, and what
// was paid. A partner with no commission and no payouts gets no fields at
// all rather than a row of zeros; a figure that is zero is left out, but
// "to be paid" always shows once there is anything, since it is the one
// the partner asks about.
func OwedFields(l bot.Locale, cur bot.Currency, o bot.Commissions) []bot.Field {
	if o.IsZero() {
		return nil
	}
	var fs []bot.Field
	if o.Pending != 0 {
		fs = append(fs, bot.Field{Name: T(l, "owed.pending"), Value: Money(l, cur, o.Pending), Inline: true})
	}
	if pay := o.ToPay(); pay >= 0 {
		fs = append(fs, bot.Field{Name: T(l, "owed.to_pay"), Value: Money(l, cur, pay), Inline: true})
	} else {
		fs = append(fs, bot.Field{Name: T(l, "owed.overpaid"), Value: Money(l, cur, -pay), Inline: true})
	}
	if o.Paid != 0 {
		fs = append(fs, bot.Field{Name: T(l, "owed.paid"), Value: Money(l, cur, o.Paid), Inline: true})
	}
	return fs
}
