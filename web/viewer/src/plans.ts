// The subscription plans on offer: what the viewer charges before creating the subscription.
export interface Plan {
  type: string;
  name: string;
  price: number;
  perks: string;
}

export const PLANS: readonly Plan[] = [
  { type: 'basic', name: 'Basic', price: 4.99, perks: 'One screen, HD' },
  { type: 'standard', name: 'Standard', price: 9.99, perks: 'Two screens, Full HD' },
  { type: 'premium', name: 'Premium', price: 14.99, perks: 'Four screens, 4K and HDR' },
];

/** A month of the plan: from today to the same day next month (UTC dates, as the API stores them). */
export function period(today = new Date()): { start_date: string; end_date: string } {
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const end = new Date(start);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return { start_date: start.toISOString().slice(0, 10), end_date: end.toISOString().slice(0, 10) };
}

export const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });
export const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
