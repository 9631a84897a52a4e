-- A realistic Frappe / ERPNext read workload for the query analyser's acceptance test.
-- Shapes as frappe.get_list / get_all / get_count / reportview / query builder (pypika) and ERPNext's
-- reports and controllers generate them, with their parameters already substituted.
-- Statements are separated by blank lines; a chunk made only of comment lines is skipped.

select `tabSales Invoice`.`name`, `tabSales Invoice`.`customer`, `tabSales Invoice`.`grand_total`
from `tabSales Invoice`
where `tabSales Invoice`.`docstatus` = 1 and ifnull(`tabSales Invoice`.`status`, '') = 'Unpaid'
order by `tabSales Invoice`.`modified` DESC
limit 20 offset 0

select `tabSales Invoice`.`name`, `tabSales Invoice`.`owner`, `tabSales Invoice`.`creation`, `tabSales Invoice`.`modified`, `tabSales Invoice`.`modified_by`, `tabSales Invoice`.`_user_tags`, `tabSales Invoice`.`_comments`, `tabSales Invoice`.`_assign`, `tabSales Invoice`.`_liked_by`, `tabSales Invoice`.`docstatus`, `tabSales Invoice`.`idx`, `tabSales Invoice`.`title`, `tabSales Invoice`.`status`, `tabSales Invoice`.`posting_date`, `tabSales Invoice`.`currency`, `tabSales Invoice`.`grand_total`, `tabSales Invoice`.`outstanding_amount`
from `tabSales Invoice`
where `tabSales Invoice`.`company` = 'Acme Corp' and `tabSales Invoice`.`is_return` = 0
order by `tabSales Invoice`.`modified` desc
limit 20 offset 20

select count(distinct `tabSales Invoice`.`name`) as total_count
from `tabSales Invoice`
where `tabSales Invoice`.`docstatus` = 1 and `tabSales Invoice`.`company` in ('Acme Corp', 'Acme UK Ltd')

select `tabSales Invoice`.`status` as name, count(*) as count
from `tabSales Invoice`
where `tabSales Invoice`.`docstatus` < 2
group by `tabSales Invoice`.`status`
order by count desc
limit 50

select distinct `tabSales Invoice`.`name`, `tabSales Invoice`.`customer_name`
from `tabSales Invoice`
left join `tabSales Invoice Item` on (`tabSales Invoice Item`.`parent` = `tabSales Invoice`.`name` and `tabSales Invoice Item`.`parenttype` = 'Sales Invoice')
where `tabSales Invoice Item`.`item_code` = 'SKU-0042' and `tabSales Invoice`.`docstatus` = 1
order by `tabSales Invoice`.`posting_date` desc
limit 20 offset 0

select `tabSales Invoice`.`name`
from `tabSales Invoice`
where (`tabSales Invoice`.`owner` = 'jane@example.com' or ifnull(`tabSales Invoice`.`_assign`, '') like '%jane@example.com%')
and `tabSales Invoice`.`docstatus` = 0
order by `tabSales Invoice`.`modified` desc
limit 100

select `tabSales Invoice`.`name`, `tabSales Invoice`.`customer`
from `tabSales Invoice`
where ((ifnull(`tabSales Invoice`.`company`, '') = '' or `tabSales Invoice`.`company` in ('Acme Corp')))
and `tabSales Invoice`.`posting_date` between '2024-01-01' and '2024-03-31'
order by `tabSales Invoice`.`posting_date` asc, `tabSales Invoice`.`name` asc
limit 500 offset 1000

select `tabSales Invoice Item`.`item_code`, sum(`tabSales Invoice Item`.`qty`) as qty, sum(`tabSales Invoice Item`.`base_net_amount`) as amount
from `tabSales Invoice Item`
inner join `tabSales Invoice` on `tabSales Invoice`.`name` = `tabSales Invoice Item`.`parent`
where `tabSales Invoice`.`docstatus` = 1 and `tabSales Invoice`.`posting_date` >= '2024-01-01'
group by `tabSales Invoice Item`.`item_code`
order by amount desc
limit 10

select name, customer, posting_date, grand_total, outstanding_amount, due_date
from `tabSales Invoice`
where docstatus = 1 and outstanding_amount > 0 and due_date < curdate() and customer = 'CUST-00017'
order by due_date

select si.name, si.customer, si.posting_date, datediff(curdate(), si.due_date) as age
from `tabSales Invoice` si
where si.docstatus = 1 and si.outstanding_amount <> 0 and si.company = 'Acme Corp'
having age > 30
order by age desc

select sum(grand_total) as total, date_format(posting_date, '%Y-%m') as month
from `tabSales Invoice`
where docstatus = 1 and posting_date >= date_sub(curdate(), interval 12 month)
group by date_format(posting_date, '%Y-%m')
order by month

select `name`, `customer_name`, `customer_group`, `territory`
from `tabCustomer`
where `disabled` = 0 and (`name` like '%acme%' or `customer_name` like '%acme%')
order by if(locate('acme', `name`), locate('acme', `name`), 99999), if(locate('acme', `customer_name`), locate('acme', `customer_name`), 99999), `idx` desc, `name`
limit 20 offset 0

select `tabCustomer`.`name`, `tabCustomer`.`customer_name`
from `tabCustomer`
where `tabCustomer`.`customer_group` in (select name from `tabCustomer Group` where lft >= 3 and rgt <= 18)
order by `tabCustomer`.`modified` desc
limit 20

select count(*) from `tabCustomer` where `disabled` = 0

select `tabItem`.`name`, `tabItem`.`item_name`, `tabItem`.`item_group`, `tabItem`.`stock_uom`, `tabItem`.`image`
from `tabItem`
where `tabItem`.`disabled` = 0 and `tabItem`.`has_variants` = 0 and `tabItem`.`is_sales_item` = 1
and (`tabItem`.`end_of_life` > curdate() or ifnull(`tabItem`.`end_of_life`, '0000-00-00') = '0000-00-00')
order by `tabItem`.`idx` desc, `tabItem`.`name`
limit 20 offset 0

select tabItem.name, tabItem.item_name, tabItem.description
from tabItem
where tabItem.docstatus < 2 and tabItem.has_variants = 0 and tabItem.disabled = 0
and (tabItem.`name` like '%bolt%' or tabItem.item_name like '%bolt%' or tabItem.item_group like '%bolt%' or tabItem.barcode like '%bolt%')
order by if(locate('bolt', tabItem.name), locate('bolt', tabItem.name), 99999), tabItem.idx desc, tabItem.name
limit 0, 20

select `tabItem Barcode`.`parent` as item_code, `tabItem Barcode`.`barcode`
from `tabItem Barcode`
where `tabItem Barcode`.`barcode` = '4006381333931'
limit 1

select `tabItem Price`.`price_list_rate`, `tabItem Price`.`currency`, `tabItem Price`.`uom`
from `tabItem Price`
where `tabItem Price`.`item_code` = 'SKU-0042' and `tabItem Price`.`price_list` = 'Standard Selling'
and ifnull(`tabItem Price`.`customer`, '') in ('', 'CUST-00017')
and ifnull(`tabItem Price`.`uom`, '') in ('', 'Nos')
and '2024-05-01' between ifnull(`tabItem Price`.`valid_from`, '2000-01-01') and ifnull(`tabItem Price`.`valid_upto`, '2500-12-31')
order by `tabItem Price`.`valid_from` desc, `tabItem Price`.`batch_no` desc, `tabItem Price`.`uom` desc
limit 1

select `tabBin`.`warehouse`, `tabBin`.`actual_qty`, `tabBin`.`projected_qty`, `tabBin`.`reserved_qty`
from `tabBin`
where `tabBin`.`item_code` = 'SKU-0042'
order by `tabBin`.`warehouse`

select sum(actual_qty) as actual_qty, sum(projected_qty) as projected_qty
from `tabBin`
where item_code = 'SKU-0042' and warehouse in ('Stores - AC', 'Finished Goods - AC')

select `name`, `posting_date`, `posting_time`, `qty_after_transaction`, `valuation_rate`, `stock_value`
from `tabStock Ledger Entry` force index (item_warehouse)
where `item_code` = 'SKU-0042' and `warehouse` = 'Stores - AC' and `is_cancelled` = 0
and timestamp(`posting_date`, `posting_time`) <= timestamp('2024-05-01', '10:15:00')
order by timestamp(`posting_date`, `posting_time`) desc, `creation` desc
limit 1

select *, timestamp(posting_date, posting_time) as timestamp
from `tabStock Ledger Entry`
where item_code = 'SKU-0042' and warehouse = 'Stores - AC' and ifnull(is_cancelled, 0) = 0
and timestamp(posting_date, posting_time) > timestamp('2024-04-01', '00:00:00')
order by timestamp(posting_date, posting_time) asc, creation asc
limit 100

select item_code, warehouse, sum(actual_qty) as qty, sum(stock_value_difference) as value
from `tabStock Ledger Entry`
where is_cancelled = 0 and posting_date <= '2024-04-30' and company = 'Acme Corp'
group by item_code, warehouse
having qty <> 0

select sle.item_code, sle.warehouse, sle.batch_no, sle.actual_qty, sle.posting_date
from `tabStock Ledger Entry` sle
inner join `tabItem` item on item.name = sle.item_code
where item.has_batch_no = 1 and sle.is_cancelled = 0 and sle.posting_date between '2024-01-01' and '2024-06-30'
order by sle.posting_date desc, sle.posting_time desc, sle.creation desc

select `voucher_type`, `voucher_no`, sum(`actual_qty`) as qty
from `tabStock Ledger Entry`
where `voucher_type` in ('Purchase Receipt', 'Delivery Note', 'Stock Entry') and `is_cancelled` = 0
group by `voucher_type`, `voucher_no`
order by `voucher_type`
limit 200

select `tabGL Entry`.`account`, sum(`tabGL Entry`.`debit`) as debit, sum(`tabGL Entry`.`credit`) as credit, sum(`tabGL Entry`.`debit`) - sum(`tabGL Entry`.`credit`) as balance
from `tabGL Entry`
where `tabGL Entry`.`company` = 'Acme Corp' and `tabGL Entry`.`is_cancelled` = 0 and `tabGL Entry`.`posting_date` <= '2024-03-31'
group by `tabGL Entry`.`account`

select posting_date, account, party_type, party, debit, credit, voucher_type, voucher_no, against_voucher, remarks
from `tabGL Entry`
where company = 'Acme Corp' and posting_date >= '2024-01-01' and posting_date <= '2024-03-31' and is_cancelled = 0
and account in (select name from `tabAccount` where lft >= 12 and rgt <= 40)
order by posting_date, account, creation

select sum(debit_in_account_currency) - sum(credit_in_account_currency)
from `tabGL Entry` gle
where gle.account = 'Debtors - AC' and gle.party_type = 'Customer' and gle.party = 'CUST-00017' and gle.is_cancelled = 0

select gle.voucher_no, gle.posting_date, sum(gle.debit - gle.credit) as amount
from `tabGL Entry` gle
where gle.is_cancelled = 0 and gle.party_type = 'Supplier' and gle.party = 'SUP-0003'
group by gle.voucher_no, gle.posting_date
order by gle.posting_date desc
limit 50

select account, account_currency, sum(debit) as debit, sum(credit) as credit
from `tabGL Entry`
where is_cancelled = 0 and fiscal_year = '2024' and voucher_type != 'Period Closing Voucher'
group by account, account_currency

select `tabAccount`.`name`, `tabAccount`.`parent_account`, `tabAccount`.`account_type`, `tabAccount`.`is_group`, `tabAccount`.`lft`, `tabAccount`.`rgt`
from `tabAccount`
where `tabAccount`.`company` = 'Acme Corp' and `tabAccount`.`root_type` = 'Asset'
order by `tabAccount`.`lft`

select name, account_name, parent_account, is_group
from `tabAccount`
where company = 'Acme Corp' and ifnull(`parent_account`, '') = ''
order by name

select `tabPayment Entry`.`name`, `tabPayment Entry`.`party`, `tabPayment Entry`.`paid_amount`, `tabPayment Entry`.`reference_no`
from `tabPayment Entry`
where `tabPayment Entry`.`docstatus` = 1 and `tabPayment Entry`.`payment_type` = 'Receive'
and `tabPayment Entry`.`posting_date` >= '2024-04-01'
order by `tabPayment Entry`.`posting_date` desc
limit 20 offset 40

select per.reference_name, per.allocated_amount, pe.posting_date
from `tabPayment Entry Reference` per
join `tabPayment Entry` pe on pe.name = per.parent
where per.reference_doctype = 'Sales Invoice' and per.reference_name in ('ACC-SINV-2024-00001', 'ACC-SINV-2024-00002', 'ACC-SINV-2024-00003') and pe.docstatus = 1

select `tabJournal Entry`.`name`, `tabJournal Entry`.`voucher_type`, `tabJournal Entry`.`total_debit`
from `tabJournal Entry`
where `tabJournal Entry`.`docstatus` = 1 and `tabJournal Entry`.`voucher_type` = 'Bank Entry'
and `tabJournal Entry`.`cheque_date` <= '2024-04-30' and ifnull(`tabJournal Entry`.`clearance_date`, '') = ''
order by `tabJournal Entry`.`cheque_date`

select jea.account, jea.debit_in_account_currency, jea.credit_in_account_currency, jea.reference_type, jea.reference_name
from `tabJournal Entry Account` jea
where jea.parent = 'ACC-JV-2024-00012' and jea.parenttype = 'Journal Entry'
order by jea.idx

select `tabPurchase Invoice`.`name`, `tabPurchase Invoice`.`supplier`, `tabPurchase Invoice`.`bill_no`, `tabPurchase Invoice`.`grand_total`
from `tabPurchase Invoice`
where `tabPurchase Invoice`.`docstatus` = 1 and `tabPurchase Invoice`.`supplier` = 'SUP-0003' and `tabPurchase Invoice`.`bill_no` = 'INV-7781'
limit 1

select pi.name, pi.supplier, pi.posting_date, pi.base_grand_total, pi.outstanding_amount
from `tabPurchase Invoice` pi
where pi.docstatus = 1 and pi.is_return = 0 and pi.on_hold = 0
and (pi.release_date is null or pi.release_date <= curdate())
order by pi.due_date
limit 100

select poi.item_code, poi.qty, poi.received_qty, poi.rate, po.supplier, po.transaction_date
from `tabPurchase Order Item` poi
inner join `tabPurchase Order` po on po.name = poi.parent
where po.docstatus = 1 and po.status not in ('Closed', 'Completed') and poi.received_qty < poi.qty
order by po.transaction_date

select `tabPurchase Order`.`name`, `tabPurchase Order`.`supplier`, `tabPurchase Order`.`per_received`, `tabPurchase Order`.`per_billed`
from `tabPurchase Order`
where `tabPurchase Order`.`docstatus` = 1 and `tabPurchase Order`.`status` in ('To Receive and Bill', 'To Bill', 'To Receive')
order by `tabPurchase Order`.`schedule_date` asc
limit 20 offset 0

select `tabPurchase Receipt`.`name`, `tabPurchase Receipt`.`supplier`, `tabPurchase Receipt`.`posting_date`
from `tabPurchase Receipt`
where exists (select 1 from `tabPurchase Receipt Item` pri where pri.parent = `tabPurchase Receipt`.`name` and pri.purchase_order = 'PUR-ORD-2024-00031')
and `tabPurchase Receipt`.`docstatus` = 1

select `tabSales Order`.`name`, `tabSales Order`.`customer`, `tabSales Order`.`delivery_date`, `tabSales Order`.`per_delivered`, `tabSales Order`.`per_billed`
from `tabSales Order`
where `tabSales Order`.`docstatus` = 1 and `tabSales Order`.`status` not in ('Stopped', 'Closed', 'On Hold')
and `tabSales Order`.`per_delivered` < 99.99 and `tabSales Order`.`company` = 'Acme Corp'
order by `tabSales Order`.`delivery_date`
limit 20

select so.name, soi.item_code, soi.qty - soi.delivered_qty as pending_qty, soi.warehouse
from `tabSales Order` so, `tabSales Order Item` soi
where so.name = soi.parent and so.docstatus = 1 and soi.delivered_qty < soi.qty and so.status != 'Closed'
order by so.transaction_date, so.name

select soi.parent, soi.item_code, soi.stock_qty, soi.delivered_qty
from `tabSales Order Item` soi
where soi.parent in (select name from `tabSales Order` where customer = 'CUST-00017' and docstatus = 1)
and soi.item_code = 'SKU-0042'

select `tabDelivery Note`.`name`, `tabDelivery Note`.`customer`, `tabDelivery Note`.`posting_date`, `tabDelivery Note`.`per_billed`
from `tabDelivery Note`
where `tabDelivery Note`.`docstatus` = 1 and `tabDelivery Note`.`is_return` = 0 and `tabDelivery Note`.`per_billed` < 100
order by `tabDelivery Note`.`posting_date` desc, `tabDelivery Note`.`name` desc
limit 20 offset 0

select dni.against_sales_order, sum(dni.stock_qty) as delivered
from `tabDelivery Note Item` dni
join `tabDelivery Note` dn on dn.name = dni.parent
where dn.docstatus = 1 and dni.against_sales_order = 'SAL-ORD-2024-00112'
group by dni.against_sales_order

select `tabQuotation`.`name`, `tabQuotation`.`party_name`, `tabQuotation`.`valid_till`, `tabQuotation`.`status`
from `tabQuotation`
where `tabQuotation`.`docstatus` = 1 and `tabQuotation`.`valid_till` < curdate() and `tabQuotation`.`status` not in ('Expired', 'Lost', 'Ordered')

select `tabStock Entry`.`name`, `tabStock Entry`.`stock_entry_type`, `tabStock Entry`.`posting_date`, `tabStock Entry`.`work_order`
from `tabStock Entry`
where `tabStock Entry`.`docstatus` = 1 and `tabStock Entry`.`purpose` = 'Material Transfer for Manufacture' and `tabStock Entry`.`work_order` = 'MFG-WO-2024-00009'

select sed.item_code, sum(sed.transfer_qty) as qty
from `tabStock Entry Detail` sed, `tabStock Entry` se
where sed.parent = se.name and se.docstatus = 1 and se.work_order = 'MFG-WO-2024-00009' and se.purpose = 'Manufacture'
group by sed.item_code

select `tabWork Order`.`name`, `tabWork Order`.`production_item`, `tabWork Order`.`qty`, `tabWork Order`.`produced_qty`, `tabWork Order`.`status`
from `tabWork Order`
where `tabWork Order`.`docstatus` = 1 and `tabWork Order`.`status` in ('Not Started', 'In Process')
order by `tabWork Order`.`planned_start_date`
limit 50

select bom.name, bom.item, bom.quantity, bom.is_default
from `tabBOM` bom
where bom.item = 'SKU-0042' and bom.is_active = 1 and bom.docstatus = 1
order by bom.is_default desc, bom.modified desc

select bi.item_code, bi.qty, bi.stock_qty, bi.rate, bi.source_warehouse
from `tabBOM Item` bi
where bi.parent = 'BOM-SKU-0042-001' and bi.parenttype = 'BOM'
order by bi.idx

select `tabBatch`.`name`, `tabBatch`.`expiry_date`, `tabBatch`.`batch_qty`
from `tabBatch`
where `tabBatch`.`item` = 'SKU-0042' and `tabBatch`.`disabled` = 0
and (`tabBatch`.`expiry_date` >= curdate() or `tabBatch`.`expiry_date` is null)
order by `tabBatch`.`expiry_date` asc, `tabBatch`.`creation` asc

select `tabSerial No`.`name`, `tabSerial No`.`warehouse`, `tabSerial No`.`status`
from `tabSerial No`
where `tabSerial No`.`item_code` = 'SKU-0042' and `tabSerial No`.`warehouse` = 'Stores - AC' and `tabSerial No`.`status` = 'Active'
order by `tabSerial No`.`creation`
limit 25

select `tabWarehouse`.`name`, `tabWarehouse`.`parent_warehouse`, `tabWarehouse`.`is_group`
from `tabWarehouse`
where `tabWarehouse`.`company` = 'Acme Corp' and `tabWarehouse`.`disabled` = 0
order by `tabWarehouse`.`lft`

select name from `tabWarehouse` where lft >= 4 and rgt <= 21 and is_group = 0

select `tabLead`.`name`, `tabLead`.`lead_name`, `tabLead`.`status`, `tabLead`.`source`
from `tabLead`
where `tabLead`.`status` in ('Lead', 'Open', 'Replied') and `tabLead`.`lead_owner` = 'sales@example.com'
order by `tabLead`.`modified` desc
limit 20 offset 0

select `tabOpportunity`.`name`, `tabOpportunity`.`party_name`, `tabOpportunity`.`opportunity_amount`, `tabOpportunity`.`probability`
from `tabOpportunity`
where `tabOpportunity`.`status` = 'Open' and `tabOpportunity`.`expected_closing` <= last_day(curdate())
order by `tabOpportunity`.`opportunity_amount` desc

select `tabOpportunity`.`sales_stage` as name, count(*) as count, sum(`tabOpportunity`.`opportunity_amount`) as amount
from `tabOpportunity`
where `tabOpportunity`.`status` = 'Open'
group by `tabOpportunity`.`sales_stage`

select `tabContact`.`name`, `tabContact`.`first_name`, `tabContact`.`last_name`, `tabContact`.`email_id`, `tabContact`.`mobile_no`
from `tabContact`
inner join `tabDynamic Link` on `tabDynamic Link`.`parent` = `tabContact`.`name`
where `tabDynamic Link`.`link_doctype` = 'Customer' and `tabDynamic Link`.`link_name` = 'CUST-00017' and `tabDynamic Link`.`parenttype` = 'Contact'
order by `tabContact`.`is_primary_contact` desc, `tabContact`.`idx`

select `tabAddress`.`name`, `tabAddress`.`address_line1`, `tabAddress`.`city`, `tabAddress`.`country`
from `tabAddress`, `tabDynamic Link`
where `tabDynamic Link`.`parent` = `tabAddress`.`name` and `tabDynamic Link`.`parenttype` = 'Address'
and `tabDynamic Link`.`link_doctype` = 'Customer' and `tabDynamic Link`.`link_name` = 'CUST-00017'
and ifnull(`tabAddress`.`disabled`, 0) = 0
order by `tabAddress`.`is_primary_address` desc

select `tabContact Email`.`email_id`, `tabContact Email`.`is_primary`
from `tabContact Email`
where `tabContact Email`.`parent` = 'Jane Doe-CUST-00017' and `tabContact Email`.`parenttype` = 'Contact'
order by `tabContact Email`.`idx` asc

select `tabEmployee`.`name`, `tabEmployee`.`employee_name`, `tabEmployee`.`department`, `tabEmployee`.`designation`
from `tabEmployee`
where `tabEmployee`.`status` = 'Active' and `tabEmployee`.`company` = 'Acme Corp'
and (`tabEmployee`.`relieving_date` is null or `tabEmployee`.`relieving_date` >= '2024-05-01')
order by `tabEmployee`.`employee_name`

select name, employee_name, date_of_birth
from `tabEmployee`
where status = 'Active' and month(date_of_birth) = month(curdate()) and day(date_of_birth) = day(curdate())

select employee, count(*) as days
from `tabAttendance`
where docstatus = 1 and status = 'Absent' and attendance_date between '2024-04-01' and '2024-04-30'
group by employee
order by days desc
limit 10

select `tabLeave Application`.`name`, `tabLeave Application`.`employee`, `tabLeave Application`.`from_date`, `tabLeave Application`.`to_date`
from `tabLeave Application`
where `tabLeave Application`.`docstatus` < 2 and `tabLeave Application`.`status` = 'Open'
and `tabLeave Application`.`leave_approver` = 'hr@example.com'

select `tabProject`.`name`, `tabProject`.`project_name`, `tabProject`.`percent_complete`, `tabProject`.`expected_end_date`
from `tabProject`
where `tabProject`.`status` = 'Open' and `tabProject`.`company` = 'Acme Corp'
order by `tabProject`.`expected_end_date` asc
limit 20 offset 0

select `tabTask`.`name`, `tabTask`.`subject`, `tabTask`.`status`, `tabTask`.`exp_end_date`, `tabTask`.`parent_task`
from `tabTask`
where `tabTask`.`project` = 'PROJ-0007' and `tabTask`.`status` not in ('Completed', 'Cancelled')
order by `tabTask`.`lft`

select t.name, t.subject, t.priority
from `tabTask` t
where t.exp_end_date < curdate() and t.status in ('Open', 'Working') and t.project is not null
order by field(t.priority, 'Urgent', 'High', 'Medium', 'Low'), t.exp_end_date

select ts.parent, sum(ts.hours) as hours, sum(ts.billing_amount) as billing
from `tabTimesheet Detail` ts
where ts.project = 'PROJ-0007' and ts.docstatus = 1
group by ts.parent

select `tabIssue`.`name`, `tabIssue`.`subject`, `tabIssue`.`status`, `tabIssue`.`priority`, `tabIssue`.`opening_date`
from `tabIssue`
where `tabIssue`.`status` = 'Open' and ifnull(`tabIssue`.`_assign`, '') like '%support@example.com%'
order by `tabIssue`.`opening_date` desc
limit 20

select `tabAsset`.`name`, `tabAsset`.`asset_name`, `tabAsset`.`gross_purchase_amount`, `tabAsset`.`status`
from `tabAsset`
where `tabAsset`.`docstatus` = 1 and `tabAsset`.`company` = 'Acme Corp' and `tabAsset`.`status` in ('Submitted', 'Partially Depreciated')

select ds.parent, ds.schedule_date, ds.depreciation_amount
from `tabDepreciation Schedule` ds
where ds.schedule_date <= '2024-04-30' and ifnull(ds.journal_entry, '') = '' and ds.parenttype = 'Asset Depreciation Schedule'

select `tabPOS Invoice`.`name`, `tabPOS Invoice`.`grand_total`, `tabPOS Invoice`.`status`
from `tabPOS Invoice`
where `tabPOS Invoice`.`pos_profile` = 'Main Store' and `tabPOS Invoice`.`docstatus` = 1 and `tabPOS Invoice`.`consolidated_invoice` is null
order by `tabPOS Invoice`.`posting_date`, `tabPOS Invoice`.`posting_time`

select `tabUser`.`name`, `tabUser`.`full_name`, `tabUser`.`user_image`
from `tabUser`
where `tabUser`.`enabled` = 1 and `tabUser`.`user_type` = 'System User' and `tabUser`.`name` not in ('Administrator', 'Guest')
order by `tabUser`.`full_name`

select `tabUser`.`name`, concat_ws(' ', `tabUser`.`first_name`, `tabUser`.`middle_name`, `tabUser`.`last_name`) as full_name
from `tabUser`
where `tabUser`.`enabled` = 1 and (`tabUser`.`name` like '%jan%' or concat_ws(' ', `tabUser`.`first_name`, `tabUser`.`last_name`) like '%jan%')
order by case when `tabUser`.`name` like 'jan%' then 0 else 1 end, `tabUser`.`name`
limit 20

select `role` from `tabHas Role` where `parent` = 'jane@example.com' and `parenttype` = 'User' and `role` not in ('All', 'Guest')

select distinct `tabHas Role`.`parent` as user
from `tabHas Role`
inner join `tabUser` on `tabUser`.`name` = `tabHas Role`.`parent`
where `tabHas Role`.`role` = 'System Manager' and `tabHas Role`.`parenttype` = 'User' and `tabUser`.`enabled` = 1

select `allow`, `for_value`, `applicable_for`, `is_default`, `hide_descendants`
from `tabUser Permission`
where `user` = 'jane@example.com'
order by `is_default` desc

select `tabDocPerm`.`role`, `tabDocPerm`.`permlevel`, `tabDocPerm`.`read`, `tabDocPerm`.`write`, `tabDocPerm`.`create`, `tabDocPerm`.`submit`, `tabDocPerm`.`if_owner`
from `tabDocPerm`
where `tabDocPerm`.`parent` = 'Sales Invoice' and `tabDocPerm`.`parenttype` = 'DocType'
order by `tabDocPerm`.`idx`

select * from `tabCustom DocPerm` where parent = 'Sales Invoice' order by idx

select `fieldname`, `fieldtype`, `options`, `label`, `reqd`, `hidden`
from `tabDocField`
where `parent` = 'Sales Invoice' and `fieldtype` in ('Link', 'Dynamic Link') and `parenttype` = 'DocType'
order by `idx`

select `tabDocField`.`parent`, `tabDocField`.`fieldname`
from `tabDocField`
where `tabDocField`.`fieldtype` = 'Link' and `tabDocField`.`options` = 'Customer'
and `tabDocField`.`parent` not in (select name from `tabDocType` where issingle = 1)

select dt, fieldname, fieldtype, options, insert_after
from `tabCustom Field`
where dt in ('Sales Invoice', 'Sales Invoice Item') and ifnull(`is_system_generated`, 0) = 0
order by dt, idx

select `doc_type`, `field_name`, `property`, `value`, `property_type`, `row_name`
from `tabProperty Setter`
where `doc_type` = 'Sales Invoice' and `doctype_or_field` = 'DocField'

select name, module, issingle, istable, is_submittable, track_changes
from `tabDocType`
where module = 'Accounts' and custom = 0 and istable = 0
order by name

select `value` from `tabSingles` where `doctype` = 'System Settings' and `field` = 'time_zone'

select `field`, `value` from `tabSingles` where `doctype` = 'Selling Settings'

select `defkey`, `defvalue` from `tabDefaultValue` where `parent` in ('__default', '__global') order by `creation`

select `defvalue` from `tabDefaultValue` where `parent` = 'jane@example.com' and `defkey` = 'company' limit 1

select `name`, `reference_doctype`, `reference_name`, `status`, `date`, `description`
from `tabToDo`
where `allocated_to` = 'jane@example.com' and `status` = 'Open'
order by `date` asc, `priority` desc
limit 20

select count(*) as count from `tabToDo` where `status` = 'Open' and `allocated_to` = 'jane@example.com'

select `name`, `comment_type`, `content`, `comment_email`, `creation`
from `tabComment`
where `reference_doctype` = 'Sales Invoice' and `reference_name` = 'ACC-SINV-2024-00001' and `comment_type` in ('Comment', 'Like', 'Info', 'Edit', 'Attachment', 'Shared', 'Assigned')
order by `creation` desc

select `name`, `subject`, `sender`, `recipients`, `communication_date`, `sent_or_received`, `read_by_recipient`
from `tabCommunication`
where `reference_doctype` = 'Issue' and `reference_name` = 'ISS-2024-00091' and `communication_type` in ('Communication', 'Feedback', 'Automated Message')
order by `communication_date` desc
limit 20 offset 0

select `tabCommunication`.`name` from `tabCommunication`
inner join `tabCommunication Link` on `tabCommunication Link`.`parent` = `tabCommunication`.`name`
where `tabCommunication Link`.`link_doctype` = 'Customer' and `tabCommunication Link`.`link_name` = 'CUST-00017'
and `tabCommunication`.`communication_type` = 'Communication'
order by `tabCommunication`.`creation` desc
limit 10

select `name`, `ref_doctype`, `docname`, `data`, `owner`, `creation`
from `tabVersion`
where `ref_doctype` = 'Sales Invoice' and `docname` = 'ACC-SINV-2024-00001'
order by `creation` desc
limit 10 offset 0

select `name`, `file_name`, `file_url`, `is_private`, `file_size`
from `tabFile`
where `attached_to_doctype` = 'Sales Invoice' and `attached_to_name` = 'ACC-SINV-2024-00001'
order by `creation` asc

select `tabFile`.`name`, `tabFile`.`file_name`, `tabFile`.`is_folder`
from `tabFile`
where `tabFile`.`folder` = 'Home/Attachments' and (`tabFile`.`is_private` = 0 or `tabFile`.`owner` = 'jane@example.com')
order by `tabFile`.`is_folder` desc, `tabFile`.`file_name` asc
limit 20 offset 0

select sum(file_size) as total from `tabFile` where is_folder = 0

select `name`, `subject`, `status`, `operation`, `creation`
from `tabActivity Log`
where `user` = 'jane@example.com' and `operation` = 'Login' and `status` = 'Failed' and `creation` > date_sub(now(), interval 1 hour)

select `name`, `method`, `creation`, `seen`
from `tabError Log`
where `creation` > now() - interval 1 day
order by `creation` desc
limit 20

select `method`, count(*) as total from `tabError Log` where `creation` >= '2024-05-01 00:00:00' group by `method` order by total desc limit 5

select `name`, `scheduled_job_type`, `status`, `creation`
from `tabScheduled Job Log`
where `status` = 'Failed' and `creation` >= date_sub(now(), interval 7 day)
order by `creation` desc

select `name`, `method`, `frequency`, `last_execution`, `stopped`
from `tabScheduled Job Type`
where `stopped` = 0 and `frequency` in ('All', 'Hourly', 'Hourly Long', 'Cron')

select name, status, error, recipients from `tabEmail Queue`
where status in ('Not Sent', 'Partially Sent') and (send_after is null or send_after < now())
order by priority desc, creation asc
limit 500

select `name`, `for_user`, `type`, `subject`, `read`, `creation`
from `tabNotification Log`
where `for_user` = 'jane@example.com' and `read` = 0
order by `creation` desc
limit 20

select count(*) as count from `tabNotification Log` where `for_user` = 'jane@example.com' and `read` = 0

select `tabEvent`.`name`, `tabEvent`.`subject`, `tabEvent`.`starts_on`, `tabEvent`.`ends_on`, `tabEvent`.`all_day`
from `tabEvent`
left join `tabEvent Participants` on `tabEvent Participants`.`parent` = `tabEvent`.`name`
where ((date(`tabEvent`.`starts_on`) between '2024-05-01' and '2024-05-31') or (date(`tabEvent`.`ends_on`) between '2024-05-01' and '2024-05-31'))
and (`tabEvent`.`event_type` = 'Public' or `tabEvent`.`owner` = 'jane@example.com')
order by `tabEvent`.`starts_on`

select `tabWorkflow Action`.`name`, `tabWorkflow Action`.`reference_doctype`, `tabWorkflow Action`.`reference_name`
from `tabWorkflow Action`
where `tabWorkflow Action`.`status` = 'Open'
and exists (select 1 from `tabWorkflow Action Permitted Role` r where r.parent = `tabWorkflow Action`.`name` and r.role in ('Accounts Manager', 'System Manager'))

select `name`, `module`, `label`, `public`, `for_user`, `sequence_id`
from `tabWorkspace`
where (`public` = 1 or `for_user` = 'jane@example.com') and ifnull(`is_hidden`, 0) = 0
order by `sequence_id` asc

select `name`, `report_type`, `ref_doctype`, `is_standard`, `disabled`
from `tabReport`
where `ref_doctype` = 'Sales Invoice' and `disabled` = 0

select `name`, `document_type`, `event`, `method`, `enabled`
from `tabNotification`
where `enabled` = 1 and `document_type` = 'Sales Invoice' and `event` in ('New', 'Save', 'Submit', 'Value Change', 'Days After', 'Days Before')

select `name`, `current` from `tabSeries` where `name` = 'ACC-SINV-2024-'

select `doctype`, `name`, `content`, `title`, `route`
from `__global_search`
where match(`content`) against ('+acme* +invoice*' in boolean mode)
limit 20 offset 0

select `doctype`, `name`, `content`, match(`content`) against ('acme widgets') as relevance
from `__global_search`
where match(`content`) against ('acme widgets') and `published` = 1
order by relevance desc
limit 10

select `tabSales Invoice`.`name`, json_extract(`tabSales Invoice`.`_user_tags`, '$') as tags
from `tabSales Invoice`
where `tabSales Invoice`.`_user_tags` like '%,urgent%'
limit 20

select `name`, json_unquote(json_extract(`data`, '$.changed[0][0]')) as field
from `tabVersion`
where `ref_doctype` = 'Item' and json_length(json_extract(`data`, '$.changed')) > 0
order by `creation` desc
limit 50

select `name`, json_unquote(json_extract(`data`, '$.comment_type')) as comment_type
from `tabVersion`
where `docname` = 'SKU-0042' and json_valid(`data`)

select name, json_value(`request_data`, '$.event') as event, status
from `tabWebhook Request Log`
where creation > '2024-05-01' and json_contains(`request_data`, '"paid"', '$.status')

select item_code, warehouse, actual_qty,
row_number() over (partition by item_code order by actual_qty desc) as rank_in_item
from `tabBin`
where actual_qty > 0

with latest as (
select item_code, warehouse, qty_after_transaction, valuation_rate,
row_number() over (partition by item_code, warehouse order by posting_date desc, posting_time desc, creation desc) as rn
from `tabStock Ledger Entry`
where is_cancelled = 0 and posting_date <= '2024-04-30'
)
select item_code, warehouse, qty_after_transaction, valuation_rate from latest where rn = 1

with sales as (
select customer, sum(base_net_total) as total
from `tabSales Invoice`
where docstatus = 1 and posting_date between '2024-01-01' and '2024-12-31'
group by customer
)
select customer, total, rank() over (order by total desc) as position from sales order by position limit 20

with recursive tree as (
select name, parent_item_group, 0 as depth from `tabItem Group` where name = 'All Item Groups'
union all
select ig.name, ig.parent_item_group, tree.depth + 1 from `tabItem Group` ig join tree on ig.parent_item_group = tree.name
)
select * from tree order by depth, name

select posting_date, sum(grand_total) as daily,
sum(sum(grand_total)) over (order by posting_date rows between unbounded preceding and current row) as running
from `tabSales Invoice`
where docstatus = 1 and posting_date >= '2024-05-01'
group by posting_date

select customer, posting_date, grand_total,
lag(grand_total) over (partition by customer order by posting_date) as previous_total,
lead(posting_date) over (partition by customer order by posting_date) as next_date
from `tabSales Invoice`
where docstatus = 1 and customer = 'CUST-00017'

select name, 'Sales Invoice' as doctype, posting_date, grand_total from `tabSales Invoice` where customer = 'CUST-00017' and docstatus = 1
union all
select name, 'Sales Order' as doctype, transaction_date, grand_total from `tabSales Order` where customer = 'CUST-00017' and docstatus = 1
union all
select name, 'Quotation' as doctype, transaction_date, grand_total from `tabQuotation` where party_name = 'CUST-00017' and docstatus = 1
order by posting_date desc
limit 20

(select name, creation from `tabSales Invoice` where owner = 'jane@example.com' order by creation desc limit 5)
union
(select name, creation from `tabPurchase Invoice` where owner = 'jane@example.com' order by creation desc limit 5)

select 'Customer' as party_type, name as party, customer_name as party_name from `tabCustomer` where disabled = 0
union
select 'Supplier', name, supplier_name from `tabSupplier` where disabled = 0

select `tabItem`.`name` from `tabItem`
where `tabItem`.`name` not in (select distinct item_code from `tabBin` where actual_qty > 0)
and `tabItem`.`is_stock_item` = 1

select c.name, (select count(*) from `tabSales Invoice` si where si.customer = c.name and si.docstatus = 1) as invoices
from `tabCustomer` c
where c.disabled = 0
order by invoices desc
limit 10

select t.customer, t.total from (
select customer, sum(outstanding_amount) as total from `tabSales Invoice` where docstatus = 1 group by customer
) t
where t.total > 10000
order by t.total desc

select * from `tabSales Invoice` where name = 'ACC-SINV-2024-00001'

select * from `tabSales Invoice Item` where parent = 'ACC-SINV-2024-00001' and parenttype = 'Sales Invoice' and parentfield = 'items' order by idx asc

select * from `tabSales Taxes and Charges` where `parent` = 'ACC-SINV-2024-00001' and `parenttype` = 'Sales Invoice' and `parentfield` = 'taxes' order by `idx` asc

select `name`, `modified` from `tabSales Invoice` where `name` = 'ACC-SINV-2024-00001'

select `docstatus` from `tabSales Invoice` where `name` = 'ACC-SINV-2024-00001'

select `modified`, `docstatus` from `tabItem` where `name` = 'SKU-0042' limit 1

select name from `tabSales Invoice` where `name` = 'ACC-SINV-2024-00001' limit 1

select `name` from `tabCustomer` where `customer_name` = 'Acme Widgets Ltd' limit 1

select `name` from `tabCompany` order by `creation` asc limit 1

select `default_currency`, `country`, `abbr`, `default_receivable_account` from `tabCompany` where `name` = 'Acme Corp'

select `name`, `year_start_date`, `year_end_date` from `tabFiscal Year`
where `disabled` = 0 and '2024-05-01' between `year_start_date` and `year_end_date`
order by `year_start_date` desc

select `exchange_rate` from `tabCurrency Exchange`
where `from_currency` = 'USD' and `to_currency` = 'EUR' and `date` <= '2024-05-01' and `for_selling` = 1
order by `date` desc
limit 1

select `holiday_date`, `description` from `tabHoliday`
where `parent` = 'Acme 2024' and `holiday_date` between '2024-05-01' and '2024-05-31'
order by `holiday_date`

select `uom`, `conversion_factor` from `tabUOM Conversion Detail` where `parent` = 'SKU-0042' and `uom` = 'Box'

select `tabPricing Rule`.*
from `tabPricing Rule`
inner join `tabPricing Rule Item Code` on `tabPricing Rule Item Code`.`parent` = `tabPricing Rule`.`name`
where `tabPricing Rule Item Code`.`item_code` = 'SKU-0042' and `tabPricing Rule`.`disable` = 0 and `tabPricing Rule`.`selling` = 1
and ifnull(`tabPricing Rule`.`company`, '') in ('Acme Corp', '')
and '2024-05-01' between ifnull(`tabPricing Rule`.`valid_from`, '2000-01-01') and ifnull(`tabPricing Rule`.`valid_upto`, '2500-12-31')
order by `tabPricing Rule`.`priority` desc, `tabPricing Rule`.`name` desc

select `tax_type`, `tax_rate` from `tabItem Tax Template Detail` where `parent` = 'GST 18% - AC'

select name, is_default from `tabSales Taxes and Charges Template` where company = 'Acme Corp' and disabled = 0 order by is_default desc

select `name`, `payment_term`, `due_date`, `payment_amount`, `outstanding`
from `tabPayment Schedule`
where `parent` = 'ACC-SINV-2024-00001' and `parenttype` = 'Sales Invoice'
order by `idx`

select `name`, `bank_account`, `date`, `deposit`, `withdrawal`, `unallocated_amount`, `reference_number`
from `tabBank Transaction`
where `bank_account` = 'Main - Acme Bank' and `docstatus` = 1 and `status` = 'Unreconciled'
and `date` between '2024-04-01' and '2024-04-30'
order by `date`

select `name`, `account`, `against_account`, `cost_center`, `project`
from `tabGL Entry`
where `voucher_type` = 'Sales Invoice' and `voucher_no` = 'ACC-SINV-2024-00001' and `is_cancelled` = 0

select `name` from `tabPayment Ledger Entry`
where `against_voucher_type` = 'Sales Invoice' and `against_voucher_no` = 'ACC-SINV-2024-00001' and `delinked` = 0

select ple.against_voucher_no as voucher_no, sum(ple.amount_in_account_currency) as outstanding
from `tabPayment Ledger Entry` ple
where ple.company = 'Acme Corp' and ple.party_type = 'Customer' and ple.party = 'CUST-00017' and ple.delinked = 0
group by ple.against_voucher_type, ple.against_voucher_no, ple.party_type, ple.party
having outstanding > 0.005

select `cost_center`, sum(`debit`) - sum(`credit`) as amount
from `tabGL Entry`
where `company` = 'Acme Corp' and `is_cancelled` = 0 and year(`posting_date`) = 2024 and quarter(`posting_date`) = 2
group by `cost_center`

select b.name, b.budget_against, ba.account, ba.budget_amount
from `tabBudget` b inner join `tabBudget Account` ba on ba.parent = b.name
where b.docstatus = 1 and b.fiscal_year = '2024' and b.company = 'Acme Corp' and ba.account = 'Marketing - AC'

select `name`, `supplier_name`, `supplier_group`, `country`
from `tabSupplier`
where `disabled` = 0 and `supplier_group` = 'Raw Material'
order by `supplier_name`
limit 20 offset 0

select `tabSupplier Quotation Item`.`item_code`, min(`tabSupplier Quotation Item`.`rate`) as best_rate
from `tabSupplier Quotation Item`
inner join `tabSupplier Quotation` on `tabSupplier Quotation`.`name` = `tabSupplier Quotation Item`.`parent`
where `tabSupplier Quotation`.`docstatus` = 1 and `tabSupplier Quotation Item`.`request_for_quotation` = 'PUR-RFQ-2024-00004'
group by `tabSupplier Quotation Item`.`item_code`

select `tabMaterial Request`.`name`, `tabMaterial Request`.`material_request_type`, `tabMaterial Request`.`schedule_date`, `tabMaterial Request`.`per_ordered`
from `tabMaterial Request`
where `tabMaterial Request`.`docstatus` = 1 and `tabMaterial Request`.`status` not in ('Stopped', 'Ordered', 'Received')
order by `tabMaterial Request`.`schedule_date`

select mri.item_code, mri.qty, mri.ordered_qty, mri.warehouse
from `tabMaterial Request Item` mri
where mri.parent = 'MAT-MR-2024-00051' and mri.ordered_qty < mri.stock_qty

select `item_code`, `warehouse`, `warehouse_reorder_level`, `warehouse_reorder_qty`, `material_request_type`
from `tabItem Reorder`
where `parent` in ('SKU-0042', 'SKU-0043', 'SKU-0044') and `warehouse_reorder_level` > 0

select `tabItem`.`name`, `tabItem`.`item_name`
from `tabItem`
where `tabItem`.`variant_of` = 'TSHIRT' and `tabItem`.`disabled` = 0
order by `tabItem`.`name`

select iva.parent, iva.attribute, iva.attribute_value
from `tabItem Variant Attribute` iva
where iva.variant_of = 'TSHIRT' and iva.attribute in ('Size', 'Colour')
order by iva.parent, iva.idx

select `item_group`, count(*) as total from `tabItem` where `disabled` = 0 group by `item_group` with rollup

select `tabItem`.`item_group` as name, count(*) as count
from `tabItem`
where `tabItem`.`disabled` = 0 and ifnull(`tabItem`.`item_group`, '') != ''
group by `tabItem`.`item_group`
order by count desc
limit 5

select `brand`, avg(`standard_rate`) as avg_rate, max(`standard_rate`) as max_rate, min(`standard_rate`) as min_rate
from `tabItem`
where `brand` is not null
group by `brand`

select name, item_name, upper(left(item_name, 1)) as initial, length(description) as description_length
from `tabItem`
where char_length(item_name) > 3
order by initial

select name, substring_index(email_id, '@', -1) as domain, lower(trim(email_id)) as email
from `tabContact`
where email_id regexp '^[a-z0-9._%-]+@[a-z0-9.-]+[.][a-z]{2,}$'

select name, replace(customer_name, '&', 'and') as clean_name, lpad(name, 12, '0') as padded
from `tabCustomer`
where customer_name like 'O\'Brien%' or customer_name like 'Müller%'

select name, group_concat(distinct `tabSales Invoice Item`.`item_code` order by `tabSales Invoice Item`.`idx` separator ', ') as items
from `tabSales Invoice Item`
where `tabSales Invoice Item`.`parent` = 'ACC-SINV-2024-00001'
group by name

select si.name, group_concat(sii.item_name separator '\n') as item_list
from `tabSales Invoice` si join `tabSales Invoice Item` sii on sii.parent = si.name
where si.posting_date = '2024-05-02'
group by si.name

select name, cast(grand_total as decimal(21, 9)) as total, convert(posting_date, char) as date_text, round(outstanding_amount, 2) as outstanding
from `tabSales Invoice`
where docstatus = 1
limit 100

select name, coalesce(nullif(customer_name, ''), customer) as display_name, greatest(paid_amount, 0) as paid, least(discount_amount, grand_total) as discount
from `tabSales Invoice`
where posting_date = curdate()

select name, case status when 'Paid' then 1 when 'Unpaid' then 2 when 'Overdue' then 3 else 9 end as sort_key
from `tabSales Invoice`
where docstatus = 1
order by sort_key, name

select name, if(is_return, -1 * grand_total, grand_total) as signed_total
from `tabSales Invoice`
where posting_date >= '2024-05-01' and posting_date < '2024-06-01'

select `name` from `tabSales Invoice` where `posting_date` >= date_add('2024-05-01', interval -1 month) and `posting_date` < date_add('2024-05-01', interval 1 month)

select name, timestampdiff(minute, creation, modified) as minutes_to_update, to_days(now()) - to_days(creation) as age_days
from `tabIssue`
where creation > '2024-01-01'

select name, unix_timestamp(creation) as ts, from_unixtime(unix_timestamp(creation), '%Y-%m-%d') as day, weekday(creation) as dow, dayname(creation) as day_name
from `tabIssue`
where status = 'Closed'

select name from `tabIssue` where extract(year from opening_date) = 2024 and extract(month from opening_date) = 5

select date(creation) as day, count(*) as created
from `tabIssue`
where creation >= curdate() - interval 30 day
group by date(creation)
order by day

select name, str_to_date(reference_date, '%d-%m-%Y') as ref_date, time_format(posting_time, '%H:%i') as hhmm
from `tabJournal Entry`
where docstatus = 1

select name, last_day(posting_date) as month_end, makedate(year(posting_date), 1) as year_start, week(posting_date, 3) as iso_week
from `tabSales Invoice`
where docstatus = 1 and posting_date >= '2024-01-01'

select `tabSales Invoice`.`name` from `tabSales Invoice`
where `tabSales Invoice`.`status` in ('Overdue', 'Unpaid', 'Partly Paid')
order by field(`tabSales Invoice`.`status`, 'Overdue', 'Unpaid', 'Partly Paid'), `tabSales Invoice`.`due_date`
limit 20 offset 0

select `tabSales Invoice`.`name` from `tabSales Invoice` where find_in_set(`tabSales Invoice`.`status`, 'Paid,Return')

select `name`, `status` from `tabSales Invoice` where `status` is not null and `name` not like 'ACC-SINV-RET-%' order by `name` desc limit 20

select `name` from `tabSales Invoice` where `customer` <=> null

select `name`, `grand_total` from `tabSales Invoice` where not (`grand_total` > 1000 and `docstatus` = 1) limit 10

select `name` from `tabSales Invoice` where `grand_total` between 100 and 500 and `posting_date` not between '2024-01-01' and '2024-01-31'

select `name` from `tabSales Invoice` where `amended_from` is not null and `docstatus` = 2

select `name`, `owner` from `tabSales Invoice` where `owner` in (select `parent` from `tabHas Role` where `role` = 'Accounts User') limit 50

select `name` from `tabItem` where `name` in ('SKU-0001', 'SKU-0002', 'SKU-0003', 'SKU-0004', 'SKU-0005', 'SKU-0006', 'SKU-0007', 'SKU-0008', 'SKU-0009', 'SKU-0010')

select SQL_CALC_FOUND_ROWS `name` from `tabItem` where `disabled` = 0 limit 20

select found_rows()

select database(), version(), now(), utc_timestamp(), connection_id()

select 1

select 1 from dual

select `table_name`, `table_rows`, `data_length`, `index_length`
from information_schema.tables
where `table_schema` = database() and `table_name` like 'tab%'
order by `data_length` + `index_length` desc
limit 20

select column_name, data_type, is_nullable, column_default
from information_schema.columns
where table_schema = database() and table_name = 'tabSales Invoice'
order by ordinal_position

select index_name, column_name, non_unique, seq_in_index
from information_schema.statistics
where table_schema = database() and table_name = 'tabStock Ledger Entry'
order by index_name, seq_in_index

select count(*) from `tabSessions` where `lastupdate` > now() - interval 30 minute

select `user`, count(*) as sessions from `tabSessions` group by `user` having sessions > 1

select `name` from `tabDeleted Document` where `deleted_doctype` = 'Sales Invoice' and `restored` = 0 order by `creation` desc limit 20

select `name`, `route`, `title`, `published` from `tabWeb Page` where `published` = 1 and `route` = 'about'

select `name`, `title`, `blog_category`, `published_on`
from `tabBlog Post`
where `published` = 1 and (`title` like '%erp%' or `content` like '%erp%')
order by `published_on` desc
limit 10 offset 0

select `tabWebsite Item`.`name`, `tabWebsite Item`.`web_item_name`, `tabWebsite Item`.`route`
from `tabWebsite Item`
where `tabWebsite Item`.`published` = 1 and `tabWebsite Item`.`item_group` in ('Products', 'Widgets')
order by `tabWebsite Item`.`ranking` desc, `tabWebsite Item`.`modified` desc
limit 12 offset 24

select `name`, `status`, `reference_doctype`, `reference_name` from `tabPrepared Report`
where `status` = 'Queued' and `creation` < now() - interval 1 hour

select `name`, `status`, `job_id`, `queue` from `tabRQ Job` where `status` = 'failed' order by `modified` desc limit 20

select `name`, `data_import`, `status` from `tabData Import Log` where `data_import` = 'Import 2024-05' and `success` = 0

select `tabAuto Repeat`.`name`, `tabAuto Repeat`.`reference_doctype`, `tabAuto Repeat`.`next_schedule_date`
from `tabAuto Repeat`
where `tabAuto Repeat`.`status` = 'Active' and `tabAuto Repeat`.`docstatus` = 1 and `tabAuto Repeat`.`next_schedule_date` <= curdate()
and (`tabAuto Repeat`.`end_date` >= curdate() or ifnull(`tabAuto Repeat`.`end_date`, '') = '')

select `name`, `subscription_plan`, `current_invoice_end` from `tabSubscription` where `status` in ('Active', 'Past Due Date') and `current_invoice_end` < curdate()

select `name`, `loyalty_program`, sum(`loyalty_points`) as points
from `tabLoyalty Point Entry`
where `customer` = 'CUST-00017' and (`expiry_date` >= '2024-05-01' or `expiry_date` is null)
group by `name`, `loyalty_program`

select `name`, `quality_inspection_template`, `status` from `tabQuality Inspection`
where `reference_type` = 'Purchase Receipt' and `reference_name` = 'MAT-PRE-2024-00017' and `docstatus` = 1

select `name`, `shipment_amount`, `pickup_date` from `tabShipment` where `status` = 'Submitted' and `pickup_date` >= curdate()

select `tabSales Person`.`name`, `tabSales Team`.`allocated_percentage`
from `tabSales Team`
inner join `tabSales Person` on `tabSales Person`.`name` = `tabSales Team`.`sales_person`
where `tabSales Team`.`parent` = 'SAL-ORD-2024-00112' and `tabSales Team`.`parenttype` = 'Sales Order'

select st.sales_person, sum(si.base_net_total * st.allocated_percentage / 100) as contribution
from `tabSales Invoice` si
inner join `tabSales Team` st on st.parent = si.name and st.parenttype = 'Sales Invoice'
where si.docstatus = 1 and si.posting_date between '2024-01-01' and '2024-03-31'
group by st.sales_person
order by contribution desc

select `territory`, sum(`base_net_total`) as total
from `tabSales Invoice`
where `docstatus` = 1 and `posting_date` between '2024-01-01' and '2024-12-31'
group by `territory`
order by total desc

select si.customer_group, si.territory, count(distinct si.customer) as customers, sum(sii.base_net_amount) as revenue
from `tabSales Invoice` si
left join `tabSales Invoice Item` sii on sii.parent = si.name
left join `tabItem` i on i.name = sii.item_code
where si.docstatus = 1 and i.item_group = 'Widgets'
group by si.customer_group, si.territory

select i.item_code, i.item_name, b.actual_qty, ip.price_list_rate
from `tabItem` as i
left outer join `tabBin` as b on b.item_code = i.item_code and b.warehouse = 'Stores - AC'
left outer join `tabItem Price` as ip on ip.item_code = i.item_code and ip.price_list = 'Standard Selling'
where i.disabled = 0
order by i.item_code
limit 100

select a.name, b.name as duplicate
from `tabCustomer` a
inner join `tabCustomer` b on a.customer_name = b.customer_name and a.name < b.name
where a.disabled = 0

select si.name from `tabSales Invoice` si
where not exists (select 1 from `tabGL Entry` gle where gle.voucher_type = 'Sales Invoice' and gle.voucher_no = si.name and gle.is_cancelled = 0)
and si.docstatus = 1

select `name` from `tabSales Invoice` where `grand_total` > all (select `grand_total` from `tabSales Invoice` where `customer` = 'CUST-00001')

select `name` from `tabSales Invoice` where `grand_total` > any (select `grand_total` from `tabSales Invoice` where `customer` = 'CUST-00001')

select `name`, `grand_total` from `tabSales Invoice` where (`customer`, `company`) in (('CUST-00017', 'Acme Corp'), ('CUST-00018', 'Acme Corp'))

select `name`, `posting_date` from `tabSales Invoice` use index (posting_date) where `posting_date` > '2024-01-01' limit 10

select `name` from `tabStock Ledger Entry` ignore index (item_code) where `item_code` = 'SKU-0042' and `warehouse` = 'Stores - AC'

select straight_join sle.name from `tabStock Ledger Entry` sle, `tabItem` item where item.name = sle.item_code and item.has_serial_no = 1

select high_priority `name` from `tabItem` where `name` = 'SKU-0042'

select sql_no_cache count(*) from `tabGL Entry`

SELECT `name`,`status`,`date` FROM `tabToDo` WHERE `allocated_to`='jane@example.com' AND `status`<>'Cancelled' ORDER BY `modified` DESC LIMIT 20

SELECT `tabSales Invoice`.`name`,`tabSales Invoice`.`grand_total` FROM `tabSales Invoice` LEFT JOIN `tabSales Invoice Item` ON `tabSales Invoice Item`.`parent`=`tabSales Invoice`.`name` WHERE `tabSales Invoice Item`.`item_code`='SKU-0042' AND `tabSales Invoice`.`docstatus`=1

SELECT COUNT(*) `count` FROM `tabError Log` WHERE `creation`>='2024-05-01 10:00:00'

SELECT SUM(`paid_amount`) `total` FROM `tabPayment Entry` WHERE `docstatus`=1 AND `party_type`='Customer' AND `party`='CUST-00017' AND `posting_date` BETWEEN '2024-01-01' AND '2024-12-31'

SELECT DISTINCT `parent` FROM `tabHas Role` WHERE `role` IN ('Stock Manager','Stock User') AND `parenttype`='User'

SELECT `name` FROM `tabUser` WHERE `enabled`=1 AND `name` NOT IN ('Administrator','Guest') ORDER BY `creation` LIMIT 1

SELECT `sle`.`item_code`,SUM(`sle`.`actual_qty`) `qty` FROM `tabStock Ledger Entry` `sle` WHERE `sle`.`is_cancelled`=0 AND `sle`.`posting_date`<='2024-04-30' GROUP BY `sle`.`item_code` HAVING SUM(`sle`.`actual_qty`)<0

SELECT `gle`.`account`,SUM(`gle`.`debit`)-SUM(`gle`.`credit`) `balance` FROM `tabGL Entry` `gle` JOIN `tabAccount` `acc` ON `acc`.`name`=`gle`.`account` WHERE `acc`.`root_type` IN ('Income','Expense') AND `gle`.`is_cancelled`=0 GROUP BY `gle`.`account`

SELECT `name`,`creation` FROM `tabComment` WHERE `reference_doctype`='Task' AND `reference_name` IN ('TASK-2024-00001','TASK-2024-00002') AND `comment_type`='Comment' ORDER BY `creation` DESC LIMIT 5 OFFSET 0

SELECT `tabFile`.`name` FROM `tabFile` WHERE `tabFile`.`file_url` LIKE '/private/files/%' AND `tabFile`.`attached_to_doctype` IS NULL AND `tabFile`.`creation`<DATE_SUB(NOW(),INTERVAL 30 DAY)

SELECT `name` FROM `tabItem` WHERE LOCATE('widget',LOWER(`item_name`))>0 LIMIT 10

SELECT CONCAT(`first_name`,' ',IFNULL(`last_name`,'')) `full_name`,`name` FROM `tabEmployee` WHERE `status`='Active' ORDER BY `full_name`

SELECT `name` FROM `tabSales Invoice` WHERE `posting_date`=CURRENT_DATE() AND `docstatus`=1

SELECT `name`,`starts_on` FROM `tabEvent` WHERE `starts_on`>=CURRENT_TIMESTAMP() - INTERVAL 1 WEEK ORDER BY `starts_on`

SELECT MAX(`modified`) FROM `tabDocType`

SELECT `name`,`lft`,`rgt` FROM `tabItem Group` WHERE `lft`<=5 AND `rgt`>=8 ORDER BY `lft` DESC

SELECT `name` FROM `tabAccount` WHERE `company`='Acme Corp' AND `account_type`='Receivable' AND `is_group`=0 LIMIT 1

SELECT `tabVersion`.`name`,`tabVersion`.`docname` FROM `tabVersion` WHERE `tabVersion`.`ref_doctype`='Sales Invoice' AND `tabVersion`.`creation`>'2024-05-01' ORDER BY `tabVersion`.`creation` DESC LIMIT 100

SELECT `reference_name`,COUNT(*) `comments` FROM `tabComment` WHERE `reference_doctype`='Issue' AND `comment_type`='Comment' GROUP BY `reference_name` ORDER BY `comments` DESC LIMIT 10

select `tabHas Role`.`role`, count(*) as users from `tabHas Role` where `parenttype` = 'User' group by `tabHas Role`.`role` order by users desc

select `name` from `tabUser` where `last_active` < date_sub(now(), interval 90 day) and `enabled` = 1 and `user_type` = 'System User'

select name, last_login, last_ip from `tabUser` where name = 'jane@example.com'

select `name`, `email_account_name`, `email_id`, `enable_incoming`, `enable_outgoing` from `tabEmail Account` where `enable_incoming` = 1 or `enable_outgoing` = 1

select `name`, `enabled`, `request_url`, `webhook_doctype` from `tabWebhook` where `enabled` = 1 and `webhook_doctype` = 'Sales Invoice'

select `name`, `print_format_type`, `standard`, `disabled` from `tabPrint Format` where `doc_type` = 'Sales Invoice' and `disabled` = 0

select `name`, `doc_type`, `workflow_state_field`, `is_active` from `tabWorkflow` where `document_type` = 'Sales Invoice' and `is_active` = 1

select `state`, `action`, `next_state`, `allowed`, `allow_self_approval`
from `tabWorkflow Transition`
where `parent` = 'Invoice Approval'
order by `idx`

select `name` from `tabServer Script` where `disabled` = 0 and `script_type` = 'DocType Event' and `reference_doctype` = 'Sales Invoice'

select `name`, `dt`, `enabled`, `view` from `tabClient Script` where `dt` = 'Sales Invoice' and `enabled` = 1

select `name`, `label`, `link_to`, `type`, `idx` from `tabWorkspace Link` where `parent` = 'Accounting' order by `idx`

select count(*) from `tabSales Invoice Item` sii where sii.parent in (select si.name from `tabSales Invoice` si where si.docstatus = 1 and si.posting_date > '2024-01-01')

select sum(case when `status` = 'Paid' then 1 else 0 end) as paid, sum(case when `status` = 'Overdue' then 1 else 0 end) as overdue, count(*) as total
from `tabSales Invoice`
where `docstatus` = 1

select `customer`, sum(`grand_total`) as total, count(*) as invoices, avg(`grand_total`) as average, std(`grand_total`) as deviation
from `tabSales Invoice`
where `docstatus` = 1
group by `customer`
having count(*) > 5
order by total desc
limit 20

select `name`, `item_code`, `qty`, `rate`, `amount`, round(`amount` / nullif(`qty`, 0), 4) as unit from `tabSales Invoice Item` where `parent` = 'ACC-SINV-2024-00001'

select `tabSales Invoice`.`name`, `tabSales Invoice`.`posting_date`
from `tabSales Invoice`
where `tabSales Invoice`.`name` like '%2024%' escape '\\'
limit 20

select `name`, md5(`name`) as h, sha2(`name`, 256) as h2, hex(`name`) as hx, to_base64(`name`) as b64 from `tabCustomer` limit 5

select `name` from `tabItem` where `item_name` sounds like 'widget'

select `name`, regexp_replace(`item_name`, '[^a-zA-Z0-9 ]', '') as clean from `tabItem` where `item_name` rlike '[^a-zA-Z0-9 ]'

select `name`, uuid() as request_id, rand() as r from `tabItem` order by rand() limit 3

select `name`, `grand_total` div 100 as hundreds, `grand_total` % 100 as remainder, mod(`grand_total`, 7) as m, abs(`outstanding_amount`) as a, floor(`grand_total`) as f, ceil(`grand_total`) as c from `tabSales Invoice` limit 10

select `name` from `tabSales Invoice` where `grand_total` >= 1e3 and `discount_amount` < 0.5 and `conversion_rate` = 1.000000000

select `name`, `creation` from `tabSales Invoice` order by `creation` desc limit 1 offset 5

select count(*) from (select distinct customer from `tabSales Invoice` where docstatus = 1) as customers

select `x`.`company`, `x`.`n` from (select `company`, count(*) as `n` from `tabSales Invoice` group by `company`) `x` where `x`.`n` > 0

select name from `tabItem` where name = _utf8mb4'SKU-0042' collate utf8mb4_unicode_ci

select `name` from `tabCustomer` where binary `name` = 'cust-00017'

select `name`, `customer_name` from `tabCustomer` where `customer_name` collate utf8mb4_bin like '%Acme%'

select `name` from `tabCustomer` where `customer_name` like concat('%', 'acme', '%') order by `customer_name` limit 20

select `name`, date_format(`creation`, '%d-%m-%Y %H:%i:%s') as created from `tabCustomer` where `creation` > '2024-01-01' order by `creation` limit 20

select `tabTimesheet`.`name`, `tabTimesheet`.`employee`, `tabTimesheet`.`total_hours`
from `tabTimesheet`
where `tabTimesheet`.`docstatus` = 1 and `tabTimesheet`.`start_date` >= '2024-05-01' and `tabTimesheet`.`end_date` <= '2024-05-31'
and `tabTimesheet`.`employee` in (select name from `tabEmployee` where department = 'Engineering - AC')

select `name`, `status`, `workflow_state` from `tabPurchase Order` where `workflow_state` = 'Pending Approval' and `docstatus` = 0 order by `modified` desc limit 20 offset 0

select `parent`, `item_code`, `qty` from `tabPacked Item` where `parent_detail_docname` = 'a1b2c3d4e5' and `parenttype` = 'Delivery Note'

select `name`, `serial_and_batch_bundle` from `tabStock Ledger Entry` where `voucher_no` = 'MAT-STE-2024-00088' and `voucher_detail_no` = '8f7e6d5c4b'

select sbe.batch_no, sum(sbe.qty) as qty
from `tabSerial and Batch Entry` sbe
inner join `tabSerial and Batch Bundle` sbb on sbb.name = sbe.parent
where sbb.item_code = 'SKU-0042' and sbb.warehouse = 'Stores - AC' and sbb.is_cancelled = 0 and sbb.docstatus = 1
group by sbe.batch_no
having qty > 0

select `name`, `reposting_status`, `posting_date` from `tabRepost Item Valuation` where `status` in ('Queued', 'In Progress') and `docstatus` = 1 order by `posting_date`, `posting_time`, `creation` limit 1

select `name` from `tabPeriod Closing Voucher` where `company` = 'Acme Corp' and `docstatus` = 1 and `posting_date` > '2023-12-31' order by `posting_date` desc limit 1

select `account`, `account_currency`, `debit`, `credit`, `debit_in_account_currency`, `credit_in_account_currency`
from `tabAccount Closing Balance`
where `company` = 'Acme Corp' and `closing_date` = '2023-12-31' and `account` in (select name from `tabAccount` where `report_type` = 'Balance Sheet')
